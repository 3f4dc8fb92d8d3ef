package org.capsync.copy;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file this process has open, as a path the kernel resolves to that very file whatever its name is now: Linux's
 * {@code /proc/self/fd/N}. Setting a temp file's date, owner and mode by its name would let whoever may write into the
 * CAP folder put another file under that name (a hard link to one of theirs or someone else's) between the write and
 * the change, and capsync, often root, would change that file instead. Java has no {@code fchmod}, {@code fchown} or
 * {@code futimens} on a channel; through this path the kernel applies them to the open file.
 *
 * <p>The channel's descriptor number is private to the JDK: reading it needs {@code --add-opens java.base/sun.nio.ch}
 * and {@code java.base/java.io}, which capsync's launchers give the JVM. Without them, or without {@code /proc}, there
 * is no such path, and the copy refuses to change a file by name ({@link LocalTransport}).
 */
final class OpenFilePaths {

    private final Path descriptors;
    private final Class<?> channelClass;
    private final Field channelDescriptor;
    private final Field descriptorNumber;

    private OpenFilePaths(Path descriptors, Class<?> channelClass, Field channelDescriptor, Field descriptorNumber) {
        this.descriptors = descriptors;
        this.channelClass = channelClass;
        this.channelDescriptor = channelDescriptor;
        this.descriptorNumber = descriptorNumber;
    }

    /** This JVM's, or empty where it has none (no {@code /proc/self/fd}, or the JDK's fields closed to capsync). */
    static Optional<OpenFilePaths> forThisJvm() {
        Path descriptors = Path.of("/proc/self/fd");
        if (!Files.isDirectory(descriptors)) {
            return Optional.empty();
        }
        try {
            Class<?> channelClass = Class.forName("sun.nio.ch.FileChannelImpl");
            Field channelDescriptor = channelClass.getDeclaredField("fd");
            channelDescriptor.setAccessible(true);
            Field descriptorNumber = FileDescriptor.class.getDeclaredField("fd");
            descriptorNumber.setAccessible(true);
            return Optional.of(new OpenFilePaths(descriptors, channelClass, channelDescriptor, descriptorNumber));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // InaccessibleObjectException without the launcher's --add-opens
            return Optional.empty();
        }
    }

    /** The path of the file {@code channel} has open; valid while the channel is. */
    Optional<Path> of(FileChannel channel) {
        if (!channelClass.isInstance(channel) || !channel.isOpen()) {
            return Optional.empty();
        }
        try {
            int number = descriptorNumber.getInt(channelDescriptor.get(channel));
            return number < 0 ? Optional.empty() : Optional.of(descriptors.resolve(Integer.toString(number)));
        } catch (IllegalAccessException e) {
            return Optional.empty();
        }
    }
}
