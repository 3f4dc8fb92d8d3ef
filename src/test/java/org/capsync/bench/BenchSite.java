package org.capsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A site on real disk for the benchmark: a source inbox with a 16 KB {@code client.lkp}, CAP folders
 * {@code caps/CAP_nnnnnn/clidata.box}, and one CAP list and job file per size (the first N CAPs), so that runs of
 * different sizes share the folders but each size is its own job with its own history.
 */
final class BenchSite {

    static final int FILE_SIZE = 16 * 1024;

    private final Path root;
    private int caps;

    BenchSite(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** Makes sure the first {@code count} CAP folders exist (folders made by an earlier benchmark are kept). */
    BenchSite withCaps(int count) {
        try {
            for (int i = caps + 1; i <= count; i++) {
                Files.createDirectories(capFolder(i));
            }
            caps = Math.max(caps, count);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes new bytes to the source, so that the next run has something to copy to every CAP. */
    byte[] newSource(long seed) {
        byte[] bytes = new byte[FILE_SIZE];
        new Random(seed).nextBytes(bytes);
        try {
            Files.createDirectories(inbox());
            Files.write(inbox().resolve("client.lkp"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    /** The job file for the first {@code size} CAPs (job name {@code bench-SIZE}), written once. */
    Path job(int size) {
        withCaps(size);
        Path job = root.resolve("job-" + size + ".yml");
        if (Files.exists(job)) {
            return job;
        }
        try (var csv = Files.newBufferedWriter(root.resolve("caps-" + size + ".csv"))) {
            csv.write("name,path\n");
            for (int i = 1; i <= size; i++) {
                csv.write(capName(i) + "," + capRoot(i) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(job, "name: bench-" + size + "\n"
                + "source: inbox\n"
                + "files: [client.lkp]\n"
                + "caps: caps-" + size + ".csv\n"
                + "target: clidata.box\n"
                + "retry: { attempts: 2, delay: 100ms }\n"
                + "threads: 4\n");
        return job;
    }

    List<Path> targets(int size) {
        List<Path> files = new ArrayList<>(size);
        for (int i = 1; i <= size; i++) {
            files.add(capFolder(i).resolve("client.lkp"));
        }
        return files;
    }

    /** Folders for the plain loop, beside the CAPs so that both write to the same file system. */
    List<Path> plainFolders(int size) {
        List<Path> folders = new ArrayList<>(size);
        try {
            for (int i = 1; i <= size; i++) {
                Path folder = root.resolve("plain").resolve(String.format("P_%06d", i));
                Files.createDirectories(folder);
                folders.add(folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folders;
    }

    Path source() {
        return inbox().resolve("client.lkp");
    }

    Path home() {
        return root.resolve("home");
    }

    Path root() {
        return root;
    }

    private Path inbox() {
        return root.resolve("inbox");
    }

    private static String capName(int i) {
        return String.format("CAP_%06d", i);
    }

    private Path capRoot(int i) {
        return root.resolve("caps").resolve(capName(i));
    }

    private Path capFolder(int i) {
        return capRoot(i).resolve("clidata.box");
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
