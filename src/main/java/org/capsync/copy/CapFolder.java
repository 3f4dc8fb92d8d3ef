package org.capsync.copy;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The target folder of one local CAP, opened so that nobody who can write below the CAP path can redirect capsync:
 * the CAP path is taken as the CAP list gives it (links in it are the administrator's choice), but no link below it is
 * ever followed. Where the platform offers it (Linux and other POSIX systems) the folder is held open as a directory
 * handle and every name in it is opened, created, renamed and deleted relative to that handle, with
 * {@code O_NOFOLLOW}/{@code O_EXCL} ({@link SecureDirectoryStream}): a folder swapped for a link after it was checked
 * cannot move a write elsewhere. Elsewhere (Windows) each name is checked without following links, and files are only
 * ever created new, never opened for writing when they already exist.
 *
 * <p>One instance serves one operation on the folder and is closed after it.
 */
final class CapFolder implements Closeable {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));

    /** The folder's path, for messages and for the platforms without a directory handle. */
    private final Path path;
    /** The directory handle, or null where the platform has none. */
    private final SecureDirectoryStream<Path> handle;
    private final FolderAccess access;
    /** Whether an open was given up while it waited under the handle: closing the handle would wait for it. */
    private volatile boolean abandoned;

    private CapFolder(Path path, SecureDirectoryStream<Path> handle, FolderAccess access) {
        this.path = path;
        this.handle = handle;
        this.access = access;
    }

    /**
     * What a folder needs beyond the file system: the open files' own paths ({@link OpenFilePaths}), and the threads
     * that open a file for reading within a bound ({@link BoundedOpens}).
     */
    record FolderAccess(Optional<OpenFilePaths> openFiles, BoundedOpens bounded) {
    }

    /**
     * Opens {@code capPath/folder}, refusing with a {@link CopyFailure} that says what is there instead of a folder: a
     * file, a device, a link below the CAP path, nothing, or a folder capsync may not enter.
     */
    static CapFolder open(TargetFile target, FolderAccess access) throws CopyFailure {
        Path cap;
        try {
            cap = Path.of(target.capPath());
        } catch (InvalidPathException e) {
            throw new CopyFailure("CAP path '" + target.capPath() + "' is not a valid path here");
        }
        if (!cap.isAbsolute()) {
            // The CAP list refuses relative paths; a Windows one (\\SERVER\CAP_XYZ) passes it but is relative on Linux
            // (and /mnt/x on Windows): either would be resolved against the folder capsync was started from.
            throw new CopyFailure("CAP path " + target.capPath() + " is not a full path on this system (a Windows path on"
                    + " Linux, or one without a drive on Windows): give the share as smb://SERVER/SHARE, or the folder's full path");
        }
        checkCapFolder(cap);
        List<Path> segments = new ArrayList<>();
        if (!target.folder().isEmpty()) {
            Path below = cap.getFileSystem().getPath(target.folder());
            below.forEach(segments::add);
        }
        SecureDirectoryStream<Path> handle = openHandle(cap);
        Path path = cap;
        try {
            for (Path segment : segments) {
                path = path.resolve(segment);
                checkTargetFolder(path, handle == null ? attributesOf(path) : attributesIn(handle, segment, path));
                if (handle != null) {
                    SecureDirectoryStream<Path> next;
                    try {
                        next = handle.newDirectoryStream(segment, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException e) {
                        throw folderFailure("target folder", path, e);
                    }
                    closeQuietly(handle);
                    handle = next;
                }
            }
        } catch (CopyFailure | RuntimeException e) {
            closeQuietly(handle);
            throw e;
        }
        return new CapFolder(path, handle, access);
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    /**
     * The entry {@code name} as it is, a link not followed, or empty when there is none: {@link PosixFileAttributes}
     * where the directory handle has them (one stat answers type, size and mode).
     */
    Optional<BasicFileAttributes> attributes(String name) throws IOException {
        try {
            if (handle == null) {
                return Optional.of(Files.readAttributes(resolve(name), BasicFileAttributes.class, NOFOLLOW));
            }
            PosixFileAttributeView posix = handle.getFileAttributeView(name(name), PosixFileAttributeView.class, NOFOLLOW);
            return Optional.of(posix != null ? posix.readAttributes()
                    : handle.getFileAttributeView(name(name), BasicFileAttributeView.class, NOFOLLOW).readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Owner, group and mode of the entry {@code name} (a link not followed), or of the folder itself for null. */
    Optional<PosixFileAttributes> posixAttributes(String name) throws IOException {
        try {
            if (handle == null) {
                Path file = name == null ? path : resolve(name);
                PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, NOFOLLOW);
                return view == null ? Optional.empty() : Optional.of(view.readAttributes());
            }
            PosixFileAttributeView view = name == null ? handle.getFileAttributeView(PosixFileAttributeView.class)
                    : handle.getFileAttributeView(name(name), PosixFileAttributeView.class, NOFOLLOW);
            return view == null ? Optional.empty() : Optional.of(view.readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens an existing regular file for reading; a link in its place is not followed but refused, and so is a named
     * pipe or other special file put there since it was looked at. An open that has not returned after
     * {@link BoundedOpens#WAIT} (a pipe waiting for a writer, a share that stopped answering) is given up: the thread it
     * waits on is left behind, and so is this folder's handle, which closing would wait for that open.
     */
    FileChannel openRead(String name) throws IOException {
        Set<OpenOption> read = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        if (handle == null || access.openFiles().isEmpty()) {
            return open(name, read);
        }
        CompletableFuture<FileChannel> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return open(name, read);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, access.bounded().opens());
        FileChannel channel;
        try {
            channel = opening.get(access.bounded().waitAtMost().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(opening);
            throw new FileSystemException(resolve(name).toString(), null, "did not open within "
                    + access.bounded().waitAtMost().toMillis() + " ms (a named pipe put in its place, or a share that stopped answering)");
        } catch (InterruptedException e) {
            abandon(opening);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + resolve(name));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
        try {
            Optional<Path> opened = access.openFiles().get().of(channel);
            if (opened.isPresent() && !Files.readAttributes(opened.get(), BasicFileAttributes.class).isRegularFile()) {
                throw new FileSystemException(resolve(name).toString(), null,
                        "not a regular file (a named pipe or other special file was put in its place)");
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An open still waiting: what it opens in the end is closed unread, and the handle it waits under stays open. */
    private void abandon(CompletableFuture<FileChannel> opening) {
        abandoned = true;
        opening.thenAccept(CapFolder::closeQuietly);
    }

    /** Opens an existing regular file for reading and writing (to test for locks), never through a link. */
    FileChannel openReadWrite(String name) throws IOException {
        return open(name, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    }

    /** Creates a new file: fails when anything, a link included, already has the name ({@code O_CREAT|O_EXCL}). */
    FileChannel createNew(String name) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS);
        if (handle == null) {
            return open(name, options);
        }
        // Owner-only until it is verified and given its mode (setOwnerAndMode): in a folder its group may write into,
        // a umask of 002 would otherwise let them change the bytes between the read-back and the rename.
        return (FileChannel) handle.newByteChannel(name(name), options, OWNER_ONLY);
    }

    /**
     * Where the date, owner and mode of the file {@code channel} has open (named {@code name}) are changed: the open
     * file itself where the folder has a directory handle ({@link OpenFilePaths}), so that another file put under the
     * name meanwhile is never changed instead; by the name, a link not followed, where there is no handle (Windows).
     */
    Path changeable(String name, FileChannel channel) throws CopyFailure {
        if (handle == null) {
            return resolve(name);
        }
        return access.openFiles().flatMap(paths -> paths.of(channel)).orElseThrow(() -> new CopyFailure("cannot set the date, "
                + "owner and mode of " + resolve(name) + " through the open file (this Java has no /proc/self/fd, or was "
                + "started without capsync's --add-opens): capsync changes no file by its name in a folder others may write"));
    }

    /**
     * In nanoseconds (the directory handle's own view sets times in microseconds only, and clients compare the copy's
     * date with the source's). The access time is given too (now: the file was just written and read back), so the JDK
     * need not read the file's attributes first.
     */
    void setLastModifiedTime(Path changeable, FileTime time) throws IOException {
        Files.getFileAttributeView(changeable, BasicFileAttributeView.class, linkOptions())
                .setTimes(time, FileTime.from(Instant.now()), null);
    }

    /** How many names {@code changeable} has (-1 where the file system does not say). */
    int linkCount(Path changeable) {
        try {
            return (Integer) Files.getAttribute(changeable, "unix:nlink", linkOptions());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** The device and inode of {@code changeable}, to tell whether a name leads to it. */
    Object fileKey(Path changeable) throws IOException {
        return Files.readAttributes(changeable, BasicFileAttributes.class, linkOptions()).fileKey();
    }

    /**
     * Gives the new file ({@code changeable}) the owner and group of {@code old} (the file it replaces, {@code like})
     * where the process may (a non-root process can give a file away to nobody), and {@code mode}. Owners are compared
     * as numbers first: {@link PosixFileAttributes#owner()} looks the name up in the user database on every call (NSS:
     * {@code /etc/passwd}, or a directory server), and the owner nearly always matches already.
     */
    void setOwnerAndMode(Path changeable, String like, PosixFileAttributes old, Set<PosixFilePermission> mode)
            throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(changeable, PosixFileAttributeView.class, linkOptions());
        if (view == null) {
            return;
        }
        PosixFileAttributes now = view.readAttributes();
        if (old != null && !sameOwnerAndGroup(changeable, like, old)) {
            if (!old.owner().equals(now.owner())) {
                try {
                    view.setOwner(old.owner());
                } catch (FileSystemException notPermitted) {
                    // only root may give a file away: the new file stays the process's
                }
            }
            if (!old.group().equals(now.group())) {
                try {
                    view.setGroup(old.group());
                } catch (FileSystemException notPermitted) {
                    // a non-root process may only choose among its own groups
                }
            }
        }
        if (!now.permissions().equals(mode)) {
            view.setPermissions(mode);
        }
    }

    /** The open file's path (/proc/self/fd/N) is a link the kernel must follow; a name in the folder is not followed. */
    private LinkOption[] linkOptions() {
        return handle == null ? NOFOLLOW : new LinkOption[0];
    }

    /** A file's owner and group as the numbers the file system stores. */
    private record Ids(int uid, int gid) {
    }

    /** Whether {@code changeable} has the numeric owner and group {@code like} had ({@code old}); false when unsure. */
    private boolean sameOwnerAndGroup(Path changeable, String like, PosixFileAttributes old) throws IOException {
        java.util.Map<String, Object> mine;
        try {
            mine = Files.readAttributes(changeable, "unix:uid,gid", linkOptions());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
        return Optional.of(new Ids((Integer) mine.get("uid"), (Integer) mine.get("gid"))).equals(numericOwnerAndGroup(like, old));
    }

    /**
     * uid and gid of the entry {@code name}, read by path (the directory handle offers owners only as names), or empty
     * where there are none or the path no longer leads to the file {@code seen} describes (its device and inode): what
     * is read by path is used only for the very file the handle saw.
     */
    private Optional<Ids> numericOwnerAndGroup(String name, BasicFileAttributes seen) throws IOException {
        if (seen.fileKey() == null) {
            return Optional.empty();
        }
        java.util.Map<String, Object> ids;
        try {
            ids = Files.readAttributes(resolve(name), "unix:uid,gid,fileKey", NOFOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException | NoSuchFileException e) {
            return Optional.empty();
        }
        if (!seen.fileKey().equals(ids.get("fileKey"))) {
            return Optional.empty();
        }
        return Optional.of(new Ids((Integer) ids.get("uid"), (Integer) ids.get("gid")));
    }

    /** Renames {@code from} over {@code to} atomically: the directory entry is replaced, a link at {@code to} included. */
    void moveOver(String from, String to) throws IOException {
        if (handle == null) {
            Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            handle.move(name(from), handle, name(to));
        }
    }

    /** Removes the entry {@code name} itself (a link, never what it points to); absent is fine. */
    void delete(String name) throws IOException {
        try {
            if (handle == null) {
                Files.delete(resolve(name));
            } else {
                handle.deleteFile(name(name));
            }
        } catch (NoSuchFileException e) {
            // nothing to remove
        }
    }

    /** The names in the folder (once per instance). */
    List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        if (handle == null) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                entries.forEach(entry -> names.add(entry.getFileName().toString()));
            }
        } else {
            handle.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        return names;
    }

    @Override
    public void close() {
        if (!abandoned) {
            closeQuietly(handle);
        }
    }

    private FileChannel open(String name, Set<OpenOption> options) throws IOException {
        if (handle == null) {
            return FileChannel.open(resolve(name), options);
        }
        // On POSIX systems the handle's channels are file channels (openat with the options' flags).
        return (FileChannel) handle.newByteChannel(name(name), options);
    }

    /** A single name inside the folder: never a path that could climb out of it. */
    private Path name(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        return path.getFileSystem().getPath(name);
    }

    private static void checkCapFolder(Path cap) throws CopyFailure {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(cap, BasicFileAttributes.class); // the CAP path's own links are followed
        } catch (IOException e) {
            throw folderFailure("CAP folder", cap, e);
        }
        if (attributes.isRegularFile()) {
            throw new CopyFailure("CAP path " + cap + " is a file, not a folder");
        }
        if (!attributes.isDirectory()) {
            throw new CopyFailure("CAP path " + cap + " is not a folder (a device or other special file)");
        }
    }

    private static void checkTargetFolder(Path folder, BasicFileAttributes attributes) throws CopyFailure {
        if (attributes.isSymbolicLink() || (attributes.isDirectory() && attributes.isOther())) {
            // isOther on a directory: a Windows junction or other reparse point
            throw new CopyFailure("target folder " + folder + " is a link; capsync follows no links below a CAP path");
        }
        if (attributes.isRegularFile()) {
            throw new CopyFailure("target folder " + folder + " is a file, not a folder");
        }
        if (!attributes.isDirectory()) {
            throw new CopyFailure("target folder " + folder + " is not a folder (a device or other special file)");
        }
    }

    private static BasicFileAttributes attributesOf(Path folder) throws CopyFailure {
        try {
            return Files.readAttributes(folder, BasicFileAttributes.class, NOFOLLOW);
        } catch (IOException e) {
            throw folderFailure("target folder", folder, e);
        }
    }

    private static BasicFileAttributes attributesIn(SecureDirectoryStream<Path> handle, Path segment, Path folder)
            throws CopyFailure {
        try {
            return handle.getFileAttributeView(segment, BasicFileAttributeView.class, NOFOLLOW).readAttributes();
        } catch (IOException e) {
            throw folderFailure("target folder", folder, e);
        }
    }

    private static SecureDirectoryStream<Path> openHandle(Path cap) throws CopyFailure {
        DirectoryStream<Path> stream;
        try {
            stream = Files.newDirectoryStream(cap);
        } catch (IOException e) {
            throw folderFailure("CAP folder", cap, e);
        }
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        closeQuietly(stream);
        return null;
    }

    /** What went wrong reaching a folder, said as what it is rather than "not reachable". */
    private static CopyFailure folderFailure(String what, Path folder, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new CopyFailure(what + " " + folder + " not found", e);
        }
        if (e instanceof AccessDeniedException) {
            return new CopyFailure(what + " " + folder + ": permission denied (capsync's user may not enter it)", e);
        }
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains("not a directory")) {
            return new CopyFailure(what + " " + folder + ": a part of the path is a file, not a folder", e);
        }
        if (reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains("symbolic link")) {
            return new CopyFailure(what + " " + folder + " is a link; capsync follows no links below a CAP path", e);
        }
        return new CopyFailure(what + " " + folder + " not reachable: " + reason, e);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // a directory handle: nothing was written through it that closing could lose
        }
    }
}
