package org.capsync.ops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

import org.capsync.definition.FileSystemReason;

/**
 * A file capsync writes for others to read, the metrics file and the HTML report: written beside its name and renamed
 * over it, so a reader sees the whole old file or the whole new one. Whoever else may write into its folder cannot
 * turn the write elsewhere: the temp file is created new, under a name nobody can guess, never through a link. The name
 * itself must be a file or nothing: a link, a device, a pipe or a folder there is refused, not replaced (a rename over
 * {@code /dev/null} replaces the device with a file).
 */
public final class PublishedFile {

    private final SecureRandom random = new SecureRandom();

    /** The name is taken by something that is not a file: nothing was written. */
    public static final class NotAFile extends IOException {
        NotAFile(Path file, String what) {
            super(file + " is " + what + ", not a file");
        }
    }

    /**
     * Writes {@code bytes} as {@code file}, replacing the file there.
     *
     * @param permissions the new file's, or null for the process's usual ones (umask)
     */
    public void write(Path file, byte[] bytes, Set<PosixFilePermission> permissions) throws IOException {
        refuseAnythingButAFile(file);
        Path temp = createTemp(file);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (permissions != null && Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temp, permissions);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Refuses a name taken by anything but a file, before anything is written. */
    public static void refuseAnythingButAFile(Path file) throws NotAFile {
        Optional<String> what = FileSystemReason.notAFile(file, LinkOption.NOFOLLOW_LINKS);
        if (what.isPresent()) {
            throw new NotAFile(file, what.get());
        }
    }

    /** Hidden, and never ending like the file (a collector reads {@code *.prom}, a web server serves {@code *.html}). */
    private Path createTemp(Path file) throws IOException {
        byte[] name = new byte[8];
        for (int attempt = 1; ; attempt++) {
            random.nextBytes(name);
            Path temp = file.resolveSibling("." + file.getFileName() + "." + HexFormat.of().formatHex(name) + ".tmp");
            try {
                // CREATE_NEW: fails on anything already there, a link included, so nothing is written through one.
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }
}
