package org.capsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * The floor capsync is held against: the same file work done by a plain Java loop, with no recording, no framework
 * and one thread. Copy = temp file beside the target, SHA-256 read-back, rename over the target; rerun = read and hash.
 */
final class PlainLoop {

    private final MessageDigest sha = sha256();

    /** One copy in a fresh JVM: the process-level floor for figure 2. Arguments: source file, target folder. */
    public static void main(String[] args) throws IOException {
        new PlainLoop().copy(Path.of(args[0]), List.of(Path.of(args[1])));
    }

    private final byte[] buffer = new byte[64 * 1024];

    /** Nanoseconds to bring {@code source} into every folder as {@code client.lkp}. */
    long copy(Path source, List<Path> folders) throws IOException {
        byte[] wanted = hash(source);
        long start = System.nanoTime();
        for (Path folder : folders) {
            Path temp = folder.resolve(".client.lkp.tmp");
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, out);
                }
            }
            if (!Arrays.equals(hash(temp), wanted)) {
                throw new IOException("read-back mismatch at " + temp);
            }
            Files.move(temp, folder.resolve("client.lkp"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return System.nanoTime() - start;
    }

    /** Nanoseconds to read and hash every file (what a rerun with nothing changed must do at least). */
    long readAndHash(List<Path> files) throws IOException {
        long start = System.nanoTime();
        long sum = 0;
        for (Path file : files) {
            sum += hash(file)[0];
        }
        if (sum == Long.MIN_VALUE) {
            System.out.print(""); // keeps the hashes observable
        }
        return System.nanoTime() - start;
    }

    private byte[] hash(Path file) throws IOException {
        sha.reset();
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
