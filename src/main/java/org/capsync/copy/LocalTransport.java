package org.capsync.copy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import org.capsync.copy.LocalSharingViolations.Operation;

/**
 * CAPs reached through the file system: local folders, UNC paths on Windows, mounted shares. Replaces by temp file,
 * read-back verification and an atomic rename; never deletes the target first (as {@code Files.copy(REPLACE_EXISTING)}
 * would: a reader would find no file at all).
 */
public final class LocalTransport implements CapTransport {

    private final LocalSharingViolations violations;

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
        if (!Files.isDirectory(cap)) {
            throw new CopyFailure("CAP folder " + cap + " not found or not reachable");
        }
        Path folder = target.folder().isEmpty() ? cap : cap.resolve(target.folder());
        if (!Files.isDirectory(folder)) {
            throw new CopyFailure("target folder " + folder + " not found");
        }
        return folder;
    }

    private void writeTemp(SourceFile source, Path temp) throws CopyException {
        try (FileChannel in = FileChannel.open(source.path(), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                done += in.transferTo(done, size - done, out);
            }
            out.force(true);
            // Clients compare date and size too (KB Q322967): the CAP copy carries the source's modification time.
            Files.setLastModifiedTime(temp, source.lastModified());
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
    }

    private void verify(SourceFile source, Path temp) throws CopyException {
        FileDigest written;
        try (InputStream in = Files.newInputStream(temp)) {
            written = FileDigest.of(in);
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
        if (!written.equals(source.digest())) {
            throw new CopyFailure("verification failed: " + temp + " read back " + written.size() + " bytes, sha256 "
                    + written.sha256() + ", expected " + source.digest().size() + " bytes, sha256 " + source.digest().sha256());
        }
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
