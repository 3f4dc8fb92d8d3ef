package org.capsync.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * {@code CAPSYNC_HOME} (default {@code ~/.capsync}): the H2 job repository, logs, run locks and the runs' snapshots.
 * Created readable by its owner only: it holds the history of every CAP and, through the snapshots, the files.
 */
public record CapsyncHome(Path root) {

    public static CapsyncHome fromEnvironment(Map<String, String> env) {
        String value = env.get("CAPSYNC_HOME");
        Path root = value != null && !value.isBlank()
                ? Path.of(value)
                : Path.of(System.getProperty("user.home"), ".capsync");
        return new CapsyncHome(root.toAbsolutePath().normalize());
    }

    public CapsyncHome ensureExists() {
        try {
            for (Path dir : new Path[] {root, repository(), logs(), locks(), snapshots()}) {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    ownerOnly(dir);
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create CAPSYNC_HOME " + root + ": " + e.getMessage(), e);
        }
    }

    public Path repository() {
        return root.resolve("repository");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path locks() {
        return root.resolve("locks");
    }

    public Path snapshots() {
        return root.resolve("snapshots");
    }

    /**
     * The embedded H2 file database. {@code AUTO_SERVER} lets a second capsync process (a history query, another job)
     * use the repository while a run holds it; its server socket is bound to the loopback address by
     * {@link RepositoryDatabase#confineToLoopback()}, so no other host can connect. {@code WRITE_DELAY=0} hands every
     * commit to the OS at once: H2's default of 500 ms would let a kill -9 lose outcomes already committed, and a
     * restart would then redo work it believes unfinished. Without H2's background writer the file is compacted only
     * when it is closed, and at H2's default fill rate (90 %) nearly every close rewrote chunks in proportion to the
     * whole file: 0.55-0.9 s per run once the repository held 1,000 runs, against 70-100 ms at 50 %, which compacts
     * when half the file is garbage and so keeps it within about twice its live data.
     */
    public String jdbcUrl() {
        return "jdbc:h2:file:" + repository().resolve("capsync").toString().replace('\\', '/')
                + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0;AUTO_COMPACT_FILL_RATE=50";
    }

    private static void ownerOnly(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
