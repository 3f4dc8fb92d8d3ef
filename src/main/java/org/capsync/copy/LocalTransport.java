package org.capsync.copy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.capsync.copy.LocalSharingViolations.Operation;

/**
 * CAPs reached through the file system: local folders, UNC paths on Windows, mounted shares. Replaces by temp file,
 * read-back verification and an atomic rename; never deletes the target first (as {@code Files.copy(REPLACE_EXISTING)}
 * would: a reader would find no file at all).
 */
public final class LocalTransport implements CapTransport {

    /** Snapshot files up to this size are held in memory for the run: written and compared without reopening them. */
    private static final long IN_MEMORY = 16L * 1024 * 1024;
    private static final int BUFFER = 64 * 1024;

    private final LocalSharingViolations violations;
    /** Each snapshot file's bytes (empty array when too large to hold), checked once against its recorded SHA-256. */
    private final Map<Path, byte[]> snapshots = new ConcurrentHashMap<>();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[BUFFER]);

    public LocalTransport(LocalSharingViolations violations) {
        this.violations = violations;
    }

    @Override
    public boolean serves(String capPath) {
        return !capPath.contains("://");
    }

    @Override
    public Optional<FileDigest> digest(TargetFile target) throws CopyException {
        Path file = folder(target).resolve(target.fileName());
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CopyFailure("target " + file + " is a directory, not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(FileDigest.of(in));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
    }

    /**
     * Compares the target's bytes with the snapshot's instead of hashing them: the same answer as size + SHA-256, and
     * the launcher's C1-only JIT (fast start-up) has no SHA-256 intrinsic, which made hashing 16 KB cost ~0.3 ms.
     */
    @Override
    public boolean holds(SourceFile source, TargetFile target) throws CopyException {
        Path file = folder(target).resolve(target.fileName());
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new CopyFailure("target " + file + " is a directory, not a file");
            }
            return attributes.size() == source.digest().size() && sameBytes(file, source, snapshotBytes(source));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
    }

    @Override
    public void replace(SourceFile source, TargetFile target) throws CopyException {
        Path folder = folder(target);
        Path file = folder.resolve(target.fileName());
        Path temp = folder.resolve(target.tempName());
        refuseIfHeld(file);
        try {
            writeTemp(source, temp);
            verify(source, temp);
            refuseIfHeld(file);
            moveOver(temp, file);
        } catch (CopyException | RuntimeException | Error e) {
            removeTemp(temp);
            throw e;
        }
    }

    @Override
    public Optional<byte[]> readBeside(TargetFile target, String name) throws CopyException {
        Path file = folder(target).resolve(name);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
    }

    @Override
    public void writeBeside(TargetFile target, String name, byte[] content) throws CopyException {
        Path file = folder(target).resolve(name);
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, file.toString());
        }
    }

    @Override
    public void deleteBeside(TargetFile target, String name) throws CopyException {
        Path file = folder(target).resolve(name);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // On Windows a client holding the file without delete sharing answers a sharing violation: in use.
            throw violations.classify(e, Operation.WRITE_TEMP, file.toString());
        }
    }

    private Path folder(TargetFile target) throws CopyFailure {
        Path cap;
        try {
            cap = Path.of(target.capPath());
        } catch (java.nio.file.InvalidPathException e) {
            throw new CopyFailure("CAP path '" + target.capPath() + "' is not a valid path here");
        }
        Path folder = target.folder().isEmpty() ? cap : cap.resolve(target.folder());
        if (Files.isDirectory(folder)) {
            return folder; // and so is the CAP folder: one stat per call, not two, on the path every CAP takes
        }
        if (!Files.isDirectory(cap)) {
            throw new CopyFailure("CAP folder " + cap + " not found or not reachable");
        }
        throw new CopyFailure("target folder " + folder + " not found");
    }

    private void writeTemp(SourceFile source, Path temp) throws CopyException {
        byte[] bytes = snapshotBytes(source);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            if (bytes.length == source.digest().size()) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            } else {
                try (FileChannel in = FileChannel.open(source.path(), StandardOpenOption.READ)) {
                    long size = in.size();
                    for (long done = 0; done < size; ) {
                        done += in.transferTo(done, size - done, out);
                    }
                }
            }
            // No fsync before the rename: it cost 3-5 ms per CAP here, 10-40 times the rest of the copy, and readers
            // never need it (the rename is atomic either way). It would only decide what a power cut at the CAP right
            // after the copy leaves: ext4 (auto_da_alloc) and btrfs write the data before committing a rename over a
            // file, so the old or the new file survives; elsewhere the file may come back empty, which the next run
            // sees (its bytes differ from the snapshot's) and replaces. See README, Performance.
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
        try {
            // Clients compare date and size too (KB Q322967): the CAP copy carries the source's modification time.
            Files.setLastModifiedTime(temp, source.lastModified());
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
    }

    private void verify(SourceFile source, Path temp) throws CopyException {
        byte[] expected = snapshotBytes(source);
        boolean same;
        try {
            same = sameBytes(temp, source, expected);
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
        if (!same) {
            throw new CopyFailure("verification failed: " + temp + " does not read back as the snapshot's "
                    + source.digest().size() + " bytes (sha256 " + source.digest().sha256() + ")");
        }
    }

    /** Whether {@code file} holds exactly the snapshot's bytes ({@code expected}, or the file when too large). */
    private boolean sameBytes(Path file, SourceFile source, byte[] expected) throws IOException {
        byte[] buffer = buffers.get();
        if (expected.length == source.digest().size()) {
            int offset = 0;
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; offset += n) {
                    if (n > expected.length - offset || !Arrays.equals(buffer, 0, n, expected, offset, offset + n)) {
                        return false;
                    }
                }
            }
            return offset == expected.length;
        }
        byte[] other = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file); InputStream snapshot = Files.newInputStream(source.path())) {
            for (int n; (n = in.readNBytes(buffer, 0, BUFFER)) > 0; ) {
                if (snapshot.readNBytes(other, 0, n) != n || !Arrays.equals(buffer, 0, n, other, 0, n)) {
                    return false;
                }
            }
            return snapshot.read() < 0;
        }
    }

    /**
     * The snapshot file's bytes, read once per run and checked against the SHA-256 recorded when it was taken, so that
     * a snapshot damaged since is never copied (an empty array stands for a file too large to hold: it is then checked
     * once, and streamed from disk for every CAP).
     */
    private byte[] snapshotBytes(SourceFile source) throws CopyException {
        byte[] bytes = snapshots.get(source.path());
        if (bytes != null) {
            return bytes;
        }
        try {
            FileDigest actual;
            if (source.digest().size() <= IN_MEMORY) {
                bytes = Files.readAllBytes(source.path());
                actual = FileDigest.of(new ByteArrayInputStream(bytes));
            } else {
                bytes = new byte[0];
                try (InputStream in = Files.newInputStream(source.path())) {
                    actual = FileDigest.of(in);
                }
            }
            if (!actual.equals(source.digest())) {
                throw new CopyFailure("snapshot " + source.path() + " no longer matches its recorded sha256 "
                        + source.digest().sha256() + " (now " + actual.size() + " bytes, sha256 " + actual.sha256() + ")");
            }
        } catch (IOException e) {
            throw new CopyFailure("cannot read snapshot " + source.path() + ": " + e.getMessage(), e);
        }
        snapshots.putIfAbsent(source.path(), bytes);
        return bytes;
    }

    private void moveOver(Path temp, Path file) throws CopyException {
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw violations.classify(e, Operation.REPLACE_TARGET, file.toString());
        }
    }

    /**
     * A client reading the target holds a record lock on it (on Windows the OS refuses the rename itself): test for
     * one without taking it for longer than the test.
     */
    private void refuseIfHeld(Path file) throws CopyException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        boolean writable = Files.isWritable(file);
        try (FileChannel channel = writable
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, !writable);
            if (lock == null) {
                throw new SharingViolation("in use (another process holds a lock on " + file + ")");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new SharingViolation("in use (this process holds a lock on " + file + ")", e);
        } catch (NoSuchFileException e) {
            // gone meanwhile: nothing holds it
        } catch (IOException e) {
            throw violations.classify(e, Operation.REPLACE_TARGET, file.toString());
        }
    }

    private static void removeTemp(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // The fixed temp name lets the next attempt or run overwrite and remove it.
        }
    }
}
