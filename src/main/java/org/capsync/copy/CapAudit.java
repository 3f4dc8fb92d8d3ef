package org.capsync.copy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.capsync.copy.CapTransport;
import org.capsync.copy.CopyException;
import org.capsync.copy.FileDigest;
import org.capsync.copy.SharingViolation;
import org.capsync.copy.TargetFile;
import org.capsync.definition.Cap;
import org.capsync.definition.CapList;
import org.capsync.definition.FileSystemReason;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.SourceFiles;

/**
 * {@code capsync verify}: compares every enabled CAP's copy of each source file with the source as it is now, by size
 * and SHA-256, through the same transports a run uses, without writing anything and without recording a run (like
 * {@code robocopy /L} or {@code rsync -n}).
 */
public final class CapAudit {

    /** UNREADABLE: the CAP's copy holds the source's bytes, but clients may not read it (e.g. mode rw-------). */
    public enum Verdict { CURRENT, DIFFERS, MISSING, UNREACHABLE, UNREADABLE }

    /**
     * One (CAP, file) against the source.
     *
     * @param bytes  size of the CAP's copy, when there is one
     * @param sha256 SHA-256 of the CAP's copy, when there is one
     * @param error  why the CAP could not be read, for UNREACHABLE
     */
    public record TargetCheck(String cap, String file, String path, Verdict status, Long bytes, String sha256,
            String sourceSha256, String error) {
    }

    private final List<CapTransport> transports;

    public CapAudit(List<CapTransport> transports) {
        this.transports = List.copyOf(transports);
    }

    /** Checks every enabled CAP, {@code job.threads()} at a time; the answer is in CAP list order. */
    public List<TargetCheck> audit(JobDefinition job, CapList caps) throws InterruptedException {
        Map<String, FileDigest> source = new LinkedHashMap<>();
        for (Path file : SourceFiles.resolve(job)) {
            try (InputStream in = Files.newInputStream(file)) {
                source.put(file.getFileName().toString(), FileDigest.of(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read source file " + file + ": " + FileSystemReason.of(e, file), e);
            }
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, job.threads()), runnable -> {
            Thread thread = new Thread(runnable, "capsync-verify");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<TargetCheck>> checks = new ArrayList<>();
            for (Cap cap : caps.enabled()) {
                for (Map.Entry<String, FileDigest> file : source.entrySet()) {
                    TargetFile target = TargetFile.of(cap.name(), cap.path(), job.target(), file.getKey(), job.name());
                    checks.add(workers.submit(() -> check(target, file.getValue())));
                }
            }
            List<TargetCheck> results = new ArrayList<>(checks.size());
            for (Future<TargetCheck> check : checks) {
                try {
                    results.add(check.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("verify failed unexpectedly", e.getCause());
                }
            }
            return results;
        } finally {
            workers.shutdownNow();
        }
    }

    private TargetCheck check(TargetFile target, FileDigest wanted) {
        String path = location(target);
        try {
            CapTransport transport = transports.stream().filter(t -> t.serves(target.capPath())).findFirst().orElse(null);
            if (transport == null) {
                return unreachable(target, path, wanted, "no transport for CAP path " + target.capPath());
            }
            Optional<FileDigest> held = transport.digest(target, wanted.size());
            if (held.isEmpty()) {
                return new TargetCheck(target.capName(), target.fileName(), path, Verdict.MISSING, null, null, wanted.sha256(), null);
            }
            FileDigest digest = held.get();
            Verdict verdict = digest.equals(wanted) ? Verdict.CURRENT : Verdict.DIFFERS;
            String problem = verdict == Verdict.CURRENT ? transport.unreadableByClients(target).orElse(null) : null;
            return new TargetCheck(target.capName(), target.fileName(), path, problem == null ? verdict : Verdict.UNREADABLE,
                    digest.size(), digest.sha256(), wanted.sha256(), problem);
        } catch (SharingViolation e) {
            return unreachable(target, path, wanted, "cannot read it: " + e.reason());
        } catch (CopyException e) {
            return unreachable(target, path, wanted, e.reason());
        } catch (RuntimeException e) {
            return unreachable(target, path, wanted, "unexpected error: " + e);
        }
    }

    private static TargetCheck unreachable(TargetFile target, String path, FileDigest wanted, String error) {
        return new TargetCheck(target.capName(), target.fileName(), path, Verdict.UNREACHABLE, null, null, wanted.sha256(), error);
    }

    /** Where the CAP's copy is, as the administrator would type it. */
    static String location(TargetFile target) {
        if (target.capPath().contains("://")) {
            String base = target.capPath().endsWith("/") ? target.capPath() : target.capPath() + "/";
            return base + (target.folder().isEmpty() ? "" : target.folder() + "/") + target.fileName();
        }
        try {
            return Path.of(target.capPath()).resolve(target.folder()).resolve(target.fileName()).toString();
        } catch (java.nio.file.InvalidPathException e) {
            return target.capPath();
        }
    }
}
