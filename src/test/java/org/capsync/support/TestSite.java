package org.capsync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.capsync.definition.CapList;
import org.capsync.definition.CapListParser;
import org.capsync.definition.JobDefinition;
import org.capsync.definition.JobFileParser;
import org.capsync.repository.CapsyncHome;

/**
 * A site on real disk for a test: a source inbox with {@code client.lkp}, CAP folders with {@code clidata.box}, a CAP
 * list and a job file with short retries, and its own {@code CAPSYNC_HOME}.
 */
public final class TestSite {

    private final Path root;
    private final List<String> caps = new ArrayList<>();
    /** CAPs not in root/caps: their path in the CAP list (e.g. smb://...) and their folder on this machine's disk. */
    private final Map<String, String> capPaths = new HashMap<>();
    private final Map<String, Path> capRoots = new HashMap<>();
    private String jobName = "client-lkp";
    private String retry = "{ attempts: 3, delay: 200ms, multiplier: 2, max-delay: 1s }";
    private int threads = 2;
    private String extraJobLines = "";

    public TestSite(Path root) {
        this.root = root;
    }

    public static TestSite withCaps(Path root, int count) {
        TestSite site = new TestSite(root);
        site.source("client.lkp", bytes(16 * 1024, 1));
        for (int i = 1; i <= count; i++) {
            site.addCap(String.format("CAP_%03d", i));
        }
        site.writeJob();
        return site;
    }

    public TestSite addCap(String name) {
        try {
            Files.createDirectories(capRoot(name).resolve("clidata.box"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        caps.add(name);
        return this;
    }

    /** A CAP at {@code smb://127.0.0.1:PORT/SHARE/NAME} on a test Samba server, with its clidata.box. */
    public TestSite addSmbCap(String name, SambaServer server, String share) {
        server.folder(share, name + "/clidata.box");
        capPaths.put(name, server.url(share, name));
        capRoots.put(name, server.sharePath(share).resolve(name));
        caps.add(name);
        return this;
    }

    public TestSite retry(String retry) {
        this.retry = retry;
        return writeJob();
    }

    public TestSite threads(int threads) {
        this.threads = threads;
        return writeJob();
    }

    public TestSite jobName(String jobName) {
        this.jobName = jobName;
        return writeJob();
    }

    public TestSite extraJobLines(String lines) {
        this.extraJobLines = lines;
        return writeJob();
    }

    public TestSite writeJob() {
        StringBuilder csv = new StringBuilder("name,path\n");
        for (String cap : caps) {
            csv.append(cap).append(',').append(capPaths.getOrDefault(cap, capRoot(cap).toString())).append('\n');
        }
        write(root.resolve("caps.csv"), csv.toString());
        write(jobFile(), "name: " + jobName + "\n"
                + "source: inbox\n"
                + "files: [client.lkp]\n"
                + "caps: caps.csv\n"
                + "target: clidata.box\n"
                + "retry: " + retry + "\n"
                + "threads: " + threads + "\n"
                + extraJobLines);
        return this;
    }

    public TestSite source(String name, byte[] content) {
        try {
            Files.createDirectories(root.resolve("inbox"));
            Files.write(root.resolve("inbox").resolve(name), content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] sourceBytes() {
        return read(root.resolve("inbox").resolve("client.lkp"));
    }

    public Path root() {
        return root;
    }

    public Path jobFile() {
        return root.resolve("job.yml");
    }

    public Path capsFile() {
        return root.resolve("caps.csv");
    }

    public Path home() {
        return root.resolve("home");
    }

    public CapsyncHome capsyncHome() {
        return new CapsyncHome(home()).ensureExists();
    }

    public String jobName() {
        return jobName;
    }

    public List<String> caps() {
        return List.copyOf(caps);
    }

    public Path capRoot(String cap) {
        return capRoots.getOrDefault(cap, root.resolve("caps").resolve(cap));
    }

    public Path capFile(String cap) {
        return capRoot(cap).resolve("clidata.box").resolve("client.lkp");
    }

    public byte[] capBytes(String cap) {
        return read(capFile(cap));
    }

    public JobDefinition definition() {
        return new JobFileParser().parse(jobFile());
    }

    public CapList capList() {
        return new CapListParser().parse(capsFile());
    }

    /** Every file under the CAP folders whose name is not {@code client.lkp}: temp files left behind, for instance. */
    public List<Path> strayFilesAtCaps() {
        List<Path> stray = new ArrayList<>();
        for (String cap : caps) {
            if (!Files.isDirectory(capRoot(cap))) {
                continue;
            }
            try (var files = Files.walk(capRoot(cap))) {
                files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("client.lkp")).forEach(stray::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stray;
    }

    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
