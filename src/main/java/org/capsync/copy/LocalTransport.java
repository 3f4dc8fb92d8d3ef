package org.capsync.copy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.capsync.copy.LocalSharingViolations.Operation;

/**
 * CAPs reached through the file system: local folders, UNC paths on Windows, mounted shares. Replaces by temp file,
 * read-back verification and an atomic rename; never deletes the target first (as {@code Files.copy(REPLACE_EXISTING)}
 * would: a reader would find no file at all).
 *
 * <p>What it will write (docs/safety.md): only inside the CAP's target folder, reached without following any link below
 * the CAP path ({@link CapFolder}); a temp file it creates new under a name no other attempt uses; the target only by
 * renaming that temp file over it. A target that is a link, a folder or a special file is refused. The new file gets the
 * target's owner, group and mode (owner and group where the process may set them); a file that did not exist gets
 * {@code rw-} for its owner and {@code r--} for group and others as far as the folder lets them in (see
 * {@link #newFileMode}), whatever capsync's umask. A target whose mode lets neither group nor others read it, in a folder
 * that does, is not current: it is replaced with read added for them.
 */
public final class LocalTransport implements CapTransport {

    private static final int BUFFER = 64 * 1024;
    static final long UNHASHED_OVER = 64L * 1024 * 1024;
    private static final Set<PosixFilePermission> CLIENT_READ =
            EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private final LocalSharingViolations violations;
    private final KernelLocks kernelLocks;
    /** The open files' own paths, and the threads that open a CAP's file for reading within a bound. */
    private final CapFolder.FolderAccess access;
    /** The snapshot files' bytes, written and compared without reopening them. */
    private final SnapshotBytes snapshots = new SnapshotBytes();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[BUFFER]);
    /**
     * Temp names this process is writing now. Another thread's leftover removal passes them over without opening them:
     * closing any channel on a file drops every lock this process holds on it, the one marking the temp file as live too.
     */
    private final Set<String> liveTemps = ConcurrentHashMap.newKeySet();

    public LocalTransport(LocalSharingViolations violations) {
        this(violations, KernelLocks.forThisMachine());
    }

    LocalTransport(LocalSharingViolations violations, KernelLocks kernelLocks) {
        this(violations, kernelLocks, new CapFolder.FolderAccess(OpenFilePaths.forThisJvm(), new BoundedOpens()));
    }

    LocalTransport(LocalSharingViolations violations, KernelLocks kernelLocks, CapFolder.FolderAccess access) {
        this.violations = violations;
        this.kernelLocks = kernelLocks;
        this.access = access;
    }

    @Override
    public boolean serves(String capPath) {
        return !capPath.contains("://");
    }

    @Override
    public Optional<FileDigest> digest(TargetFile target) throws CopyException {
        return digest(target, -1);
    }

    /**
     * A target of another size than {@code size} (when not -1) that is over {@link #UNHASHED_OVER} is not read: its
     * SHA-256 comes back null. A stale copy of the file (an earlier version) is still hashed, which says which one a CAP
     * holds; a huge file someone put there would keep the audit reading it.
     */
    @Override
    public Optional<FileDigest> digest(TargetFile target, long size) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            Path file = folder.resolve(target.fileName());
            Optional<BasicFileAttributes> attributes = existingTarget(folder, target.fileName());
            if (attributes.isEmpty()) {
                return Optional.empty();
            }
            if (size >= 0 && attributes.get().size() != size && attributes.get().size() > UNHASHED_OVER) {
                return Optional.of(new FileDigest(attributes.get().size(), null));
            }
            try (FileChannel in = folder.openRead(target.fileName())) {
                return Optional.of(FileDigest.of(java.nio.channels.Channels.newInputStream(in)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw violations.classify(e, Operation.READ_TARGET, file.toString());
            }
        }
    }

    /**
     * Compares the target's bytes with the snapshot's instead of hashing them: the same answer as size + SHA-256, and
     * the launcher's C1-only JIT (fast start-up) has no SHA-256 intrinsic, so hashing costs more than comparing
     * (docs/performance.md, "Costs the code avoids"). A
     * target clients cannot read is not current (see the class comment).
     */
    @Override
    public boolean holds(SourceFile source, TargetFile target) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            return holds(folder, source, target);
        }
    }

    /** Checks and, when the target is not current, replaces it through one opening of its folder. */
    @Override
    public CopyOutcome.Kind update(SourceFile source, TargetFile target) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            // The target's attributes, read once for the check and the replacement; the rename looks again.
            Optional<BasicFileAttributes> existing = existingTarget(folder, target.fileName());
            if (holds(folder, source, target, existing)) {
                // An attempt killed between writing its temp file and the rename leaves one behind.
                removeLeftovers(folder, target);
                return CopyOutcome.Kind.UNCHANGED;
            }
            replace(folder, source, target, existing);
            return CopyOutcome.Kind.COPIED;
        }
    }

    private boolean holds(CapFolder folder, SourceFile source, TargetFile target) throws CopyException {
        return holds(folder, source, target, existingTarget(folder, target.fileName()));
    }

    private boolean holds(CapFolder folder, SourceFile source, TargetFile target,
            Optional<BasicFileAttributes> attributes) throws CopyException {
        Path file = folder.resolve(target.fileName());
        if (attributes.isEmpty() || attributes.get().size() != source.digest().size()) {
            return false;
        }
        try {
            if (unreadableInReadableFolder(folder, attributes.get())) {
                return false;
            }
            try (FileChannel in = folder.openRead(target.fileName())) {
                return sameBytes(in, source, snapshots.of(source));
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
    }

    @Override
    public Optional<String> unreadableByClients(TargetFile target) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            Optional<PosixFileAttributes> attributes = folder.posixAttributes(target.fileName());
            if (attributes.isEmpty() || !attributes.get().isRegularFile()) {
                return Optional.empty();
            }
            // The rule a run applies (holds): in a folder only its owner may enter, an owner-only target is left as it is.
            if (!unreadableInReadableFolder(folder, attributes.get())) {
                return Optional.empty();
            }
            Set<PosixFilePermission> mode = attributes.get().permissions();
            return Optional.of("not readable by clients: mode " + java.nio.file.attribute.PosixFilePermissions.toString(mode)
                    + " lets neither group nor others read " + folder.resolve(target.fileName()));
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, target.describe());
        }
    }

    @Override
    public void replace(SourceFile source, TargetFile target) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            replace(folder, source, target);
        }
    }

    private void replace(CapFolder folder, SourceFile source, TargetFile target) throws CopyException {
        replace(folder, source, target, existingTarget(folder, target.fileName()));
    }

    /** @param existing the target's attributes as just read, or empty when there was none */
    private void replace(CapFolder folder, SourceFile source, TargetFile target, Optional<BasicFileAttributes> existing)
            throws CopyException {
        String name = target.fileName();
        Path file = folder.resolve(name);
        if (existing.isPresent()) {
            refuseIfHeld(folder, name);
        }
        Set<PosixFilePermission> mode;
        Optional<PosixFileAttributes> old;
        try {
            old = existing.isPresent() && existing.get() instanceof PosixFileAttributes posix ? Optional.of(posix)
                    : folder.posixAttributes(name);
            mode = modeFor(folder, old);
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
        String temp = target.newTempName();
        Path tempPath = folder.resolve(temp);
        liveTemps.add(temp);
        boolean created = false;
        boolean renamed = false;
        try (FileChannel out = folder.createNew(temp)) {
            created = true;
            // Marks the temp file as live for other processes' leftover removal (removeLeftovers).
            FileLock live = out.tryLock();
            if (live == null) {
                throw new SharingViolation("in use (another writer opened the new temp file " + tempPath + ")");
            }
            write(source, out, tempPath);
            verify(source, out, tempPath);
            // Through the open file, never by its name: whoever may write into the folder could put another file there.
            Path written = folder.changeable(temp, out);
            // Clients compare date and size too (KB Q322967): the CAP copy carries the source's modification time.
            folder.setLastModifiedTime(written, source.lastModified());
            if (mode != null) {
                folder.setOwnerAndMode(written, name, old.orElse(null), mode);
            }
            Object writtenKey = folder.fileKey(written);
            if (existingTarget(folder, name).isPresent()) {
                refuseIfHeld(folder, name);
            }
            // Let go before the rename: the lock would otherwise stay on client.lkp until the channel closes.
            live.release();
            refuseIfNotWritten(folder, temp, writtenKey, tempPath);
            moveOver(folder, temp, name);
            renamed = true;
            refuseIfNotRenamed(folder, name, written, writtenKey, tempPath);
            removeLeftovers(folder, target);
        } catch (FileAlreadyExistsException e) {
            throw new CopyFailure("temp file " + tempPath + " already exists", e);
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, tempPath.toString());
        } finally {
            if (created && !renamed) {
                removeTemp(folder, temp);
            }
            liveTemps.remove(temp);
        }
    }

    /**
     * Removes this job's temp files for the target that killed attempts left: each one that no live writer holds. A
     * writer holds an exclusive lock on its temp file from creation to just before the rename, so a temp file this
     * removal can lock belongs to no live writer; it is deleted while still locked. Temp files of this process's own
     * attempts are never opened ({@link #liveTemps}). What cannot be opened or locked is left for a later attempt.
     */
    @Override
    public void removeLeftovers(TargetFile target) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            removeLeftovers(folder, target);
        }
    }

    private void removeLeftovers(CapFolder folder, TargetFile target) {
        try {
            for (String name : folder.names()) {
                if (target.isLeftover(name) && !liveTemps.contains(name)) {
                    removeIfNoWriterHolds(folder, name);
                }
            }
        } catch (IOException e) {
            // listing failed: the leftovers wait for a later attempt; the copy itself is not affected
        }
    }

    private static void removeIfNoWriterHolds(CapFolder folder, String name) {
        try {
            Optional<BasicFileAttributes> attributes = folder.attributes(name);
            if (attributes.isEmpty() || attributes.get().isDirectory()) {
                return;
            }
            if (!attributes.get().isRegularFile()) {
                folder.delete(name); // a link or special file planted under a temp name: the entry goes, not what it names
                return;
            }
            FileChannel opened;
            boolean shared = false;
            try {
                opened = folder.openReadWrite(name);
            } catch (AccessDeniedException e) {
                opened = folder.openRead(name); // a read-only leftover: a writer's exclusive lock still shows
                shared = true;
            }
            try (FileChannel channel = opened) {
                FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
                if (lock != null) {
                    folder.delete(name);
                    lock.release();
                }
            }
        } catch (IOException | OverlappingFileLockException e) {
            // held, gone, or not ours to open: left for a later attempt
        }
    }

    @Override
    public Optional<byte[]> readBeside(TargetFile target, String name) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            Path file = folder.resolve(name);
            try {
                Optional<BasicFileAttributes> attributes = folder.attributes(name);
                if (attributes.isEmpty()) {
                    return Optional.empty();
                }
                if (!attributes.get().isRegularFile()) {
                    throw new CopyFailure(notAFile(file, attributes.get()));
                }
                try (FileChannel in = folder.openRead(name)) {
                    return Optional.of(java.nio.channels.Channels.newInputStream(in).readAllBytes());
                }
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw violations.classify(e, Operation.READ_TARGET, file.toString());
            }
        }
    }

    @Override
    public void writeBeside(TargetFile target, String name, byte[] content) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            Path file = folder.resolve(name);
            try (FileChannel out = folder.createNew(name)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            } catch (FileAlreadyExistsException e) {
                throw new SharingViolation("in use (" + file + " appeared: another writer's)", e);
            } catch (IOException e) {
                throw violations.classify(e, Operation.WRITE_TEMP, file.toString());
            }
        }
    }

    @Override
    public void deleteBeside(TargetFile target, String name) throws CopyException {
        try (CapFolder folder = CapFolder.open(target, access)) {
            try {
                folder.delete(name);
            } catch (IOException e) {
                // On Windows a client holding the file without delete sharing answers a sharing violation: in use.
                throw violations.classify(e, Operation.WRITE_TEMP, folder.resolve(name).toString());
            }
        }
    }

    /** The target as it is, or empty when there is none; a link, folder or special file in its place is refused. */
    private Optional<BasicFileAttributes> existingTarget(CapFolder folder, String name) throws CopyException {
        Path file = folder.resolve(name);
        Optional<BasicFileAttributes> attributes;
        try {
            attributes = folder.attributes(name);
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
        if (attributes.isPresent() && !attributes.get().isRegularFile()) {
            throw new CopyFailure(notAFile(file, attributes.get()));
        }
        return attributes;
    }

    private static String notAFile(Path file, BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink() || attributes.isOther() && attributes.isDirectory()) {
            return "target " + file + " is a link; capsync follows no links at a CAP and does not replace them";
        }
        if (attributes.isDirectory()) {
            return "target " + file + " is a directory, not a file";
        }
        return "target " + file + " is not a regular file (a device or other special file)";
    }

    /**
     * The mode the new file gets: the target's, or for a new file {@link #newFileMode}; null where the file system has
     * no POSIX modes. A target neither group nor others may read gets read for them when the folder lets them in.
     */
    private static Set<PosixFilePermission> modeFor(CapFolder folder, Optional<PosixFileAttributes> old) throws IOException {
        Optional<PosixFileAttributes> parent = folder.posixAttributes(null);
        if (parent.isEmpty()) {
            return null;
        }
        Set<PosixFilePermission> usual = newFileMode(parent.get().permissions());
        if (old.isEmpty()) {
            return usual;
        }
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        mode.addAll(old.get().permissions());
        if (java.util.Collections.disjoint(mode, CLIENT_READ)) {
            usual.retainAll(CLIENT_READ);
            mode.addAll(usual);
        }
        return mode;
    }

    /** Whether neither group nor others may read the target while its folder lets them in (then it is replaced). */
    private static boolean unreadableInReadableFolder(CapFolder folder, BasicFileAttributes target) throws IOException {
        if (!(target instanceof PosixFileAttributes posix)
                || !java.util.Collections.disjoint(posix.permissions(), CLIENT_READ)) {
            return false;
        }
        Optional<PosixFileAttributes> parent = folder.posixAttributes(null);
        return parent.isPresent() && !java.util.Collections.disjoint(newFileMode(parent.get().permissions()), CLIENT_READ);
    }

    /**
     * A new file's mode, from its folder's, not from the process's umask: read and write for the owner; read for group
     * and for others when the folder lets them in (read or search permission). {@code rwxr-xr-x} gives {@code rw-r--r--},
     * {@code rwxr-x---} gives {@code rw-r-----}.
     */
    static Set<PosixFilePermission> newFileMode(Set<PosixFilePermission> folder) {
        Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (folder.contains(PosixFilePermission.GROUP_READ) || folder.contains(PosixFilePermission.GROUP_EXECUTE)) {
            mode.add(PosixFilePermission.GROUP_READ);
        }
        if (folder.contains(PosixFilePermission.OTHERS_READ) || folder.contains(PosixFilePermission.OTHERS_EXECUTE)) {
            mode.add(PosixFilePermission.OTHERS_READ);
        }
        return mode;
    }

    private void write(SourceFile source, FileChannel out, Path temp) throws CopyException {
        byte[] bytes = snapshots.of(source);
        try {
            if (SnapshotBytes.held(source, bytes)) {
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
            // No fsync before the rename: it cost many times the rest of the copy (docs/reliability.md), and readers
            // never need it (the rename is atomic either way). It would only decide what a power cut at the CAP right
            // after the copy leaves: ext4 (auto_da_alloc) and btrfs write the data before committing a rename over a
            // file, so the old or the new file survives; elsewhere the file may come back empty, which the next run
            // sees (its bytes differ from the snapshot's) and replaces.
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, temp.toString());
        }
    }

    /** Reads the temp file back through the handle that wrote it: what a reopen by name would find is not asked. */
    private void verify(SourceFile source, FileChannel temp, Path path) throws CopyException {
        byte[] expected = snapshots.of(source);
        boolean same;
        try {
            same = sameBytes(temp, source, expected);
        } catch (IOException e) {
            throw violations.classify(e, Operation.WRITE_TEMP, path.toString());
        }
        if (!same) {
            throw new CopyFailure("verification failed: " + path + " does not read back as the snapshot's "
                    + source.digest().size() + " bytes (sha256 " + source.digest().sha256() + ")");
        }
    }

    /** Whether {@code file} holds exactly the snapshot's bytes ({@code expected}, or the file when too large). */
    private boolean sameBytes(FileChannel file, SourceFile source, byte[] expected) throws IOException {
        byte[] buffer = buffers.get();
        if (SnapshotBytes.held(source, expected)) {
            long offset = 0;
            for (int n; (n = file.read(ByteBuffer.wrap(buffer), offset)) > 0; offset += n) {
                if (n > expected.length - offset
                        || !Arrays.equals(buffer, 0, n, expected, (int) offset, (int) offset + n)) {
                    return false;
                }
            }
            return offset == expected.length;
        }
        byte[] other = new byte[BUFFER];
        try (InputStream snapshot = Files.newInputStream(source.path())) {
            long offset = 0;
            for (int n; (n = readFully(file, buffer, offset)) > 0; offset += n) {
                if (snapshot.readNBytes(other, 0, n) != n || !Arrays.equals(buffer, 0, n, other, 0, n)) {
                    return false;
                }
            }
            return snapshot.read() < 0;
        }
    }

    private static int readFully(FileChannel file, byte[] buffer, long position) throws IOException {
        ByteBuffer into = ByteBuffer.wrap(buffer);
        while (into.hasRemaining()) {
            int n = file.read(into, position + into.position());
            if (n < 0) {
                break;
            }
        }
        return into.position();
    }

    /**
     * The rename moves whatever has the temp file's name: whoever may write into the folder can have put something else
     * there since it was created. Then the target would not be what capsync wrote and verified.
     */
    private static void refuseIfNotWritten(CapFolder folder, String temp, Object writtenKey, Path tempPath)
            throws CopyException {
        if (writtenKey == null) {
            return;
        }
        Object now = keyOf(folder, temp);
        if (now == null) {
            // Another process took it for a leftover in the instant between unlock and this look: try again.
            throw new SharingViolation("in use (temp file " + tempPath + " removed before the rename)");
        }
        if (!writtenKey.equals(now)) {
            throw new CopyFailure(tempPath + " is not the file capsync wrote: another process replaced it before the rename");
        }
    }

    /**
     * After the rename the target is the file capsync wrote, or that file has no name left: a writer to the same folder
     * (two CAP entries that are one folder) renamed its own copy over it since. Anything else means the temp file's name
     * was taken by another file in the instant before the rename.
     */
    private static void refuseIfNotRenamed(CapFolder folder, String name, Path written, Object writtenKey, Path tempPath)
            throws CopyException {
        if (writtenKey == null || writtenKey.equals(keyOf(folder, name)) || folder.linkCount(written) == 0) {
            return;
        }
        throw new CopyFailure(folder.resolve(name) + " is not the file capsync wrote: another process put something "
                + "else under the temp file's name " + tempPath + " before the rename");
    }

    private static Object keyOf(CapFolder folder, String name) {
        try {
            return folder.attributes(name).map(BasicFileAttributes::fileKey).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void moveOver(CapFolder folder, String temp, String name) throws CopyException {
        try {
            folder.moveOver(temp, name);
        } catch (NoSuchFileException e) {
            // Another process took our temp file for a leftover in the instant between unlock and rename: try again.
            throw new SharingViolation("in use (temp file " + folder.resolve(temp) + " removed before the rename)", e);
        } catch (IOException e) {
            throw violations.classify(e, Operation.REPLACE_TARGET, folder.resolve(name).toString());
        }
    }

    /**
     * A client reading the target holds a record lock on it (on Windows the OS refuses the rename itself): test for
     * one without taking it for longer than the test. An exclusive lock conflicts with every other lock but needs the
     * target open for writing; where capsync's user may not write the target (a read-only file for a non-root capsync,
     * a CIFS mount showing the DOS read-only attribute as mode 0444), a shared lock finds writers only, and readers are
     * looked up in the kernel's lock table ({@link KernelLocks}). Where there is none, the target is refused.
     */
    private void refuseIfHeld(CapFolder folder, String name) throws CopyException {
        Path file = folder.resolve(name);
        try (FileChannel channel = folder.openReadWrite(name)) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, false);
            if (lock == null) {
                throw new SharingViolation("in use (another process holds a lock on " + file + ")");
            }
            lock.release();
        } catch (AccessDeniedException e) {
            refuseIfHeldReadOnly(folder, name);
        } catch (OverlappingFileLockException e) {
            throw new SharingViolation("in use (this process holds a lock on " + file + ")", e);
        } catch (NoSuchFileException e) {
            // gone meanwhile: nothing holds it
        } catch (IOException e) {
            throw violations.classify(e, Operation.REPLACE_TARGET, file.toString());
        }
    }

    private void refuseIfHeldReadOnly(CapFolder folder, String name) throws CopyException {
        Path file = folder.resolve(name);
        try (FileChannel channel = folder.openRead(name)) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null) {
                throw new SharingViolation("in use (another process holds a lock on " + file + ")");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new SharingViolation("in use (this process holds a lock on " + file + ")", e);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw violations.classify(e, Operation.READ_TARGET, file.toString());
        }
        Optional<Boolean> held = kernelLocks.heldByOthers(file);
        if (held.isEmpty()) {
            throw new CopyFailure("target " + file + " is read-only for capsync's user, and this system cannot tell"
                    + " whether a client holds it: make it writable for capsync's user");
        }
        if (held.get()) {
            throw new SharingViolation("in use (another process holds a lock on " + file + ")");
        }
    }

    private static void removeTemp(CapFolder folder, String temp) {
        try {
            folder.delete(temp);
        } catch (IOException ignored) {
            // A later attempt's leftover removal takes it.
        }
    }
}
