package org.capsync.definition;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why a file-system operation failed, in an administrator's words. The JDK's "no such file" and "access denied"
 * exceptions carry only the path as their message, so a line built from the message ("cannot create CAPSYNC_HOME X:
 * X") named the file twice and the cause never. And what is at a name where a file was expected.
 */
public final class FileSystemReason {

    private FileSystemReason() {
    }

    /**
     * The reason, followed by the file it concerns when that is not {@code subject} itself (a parent folder, the other
     * file of a move): "permission denied (/srv/capsync)".
     */
    public static String of(IOException e, Path subject) {
        if (!(e instanceof FileSystemException failed)) {
            return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        String reason = failed.getReason() != null ? failed.getReason() : inWords(failed);
        String file = failed.getFile();
        if (file == null || (subject != null && Path.of(file).equals(subject))) {
            return reason;
        }
        return reason + " (" + file + (failed.getOtherFile() != null ? " -> " + failed.getOtherFile() : "") + ")";
    }

    /**
     * What is at {@code file} when it is not a file, in words ("a folder", "a link", "a device or other special file"),
     * or empty when it is a file or nothing (or cannot be looked at: opening it will say why). A link is followed unless
     * {@code NOFOLLOW_LINKS} is given.
     */
    public static Optional<String> notAFile(Path file, LinkOption... options) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, options);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (attributes.isSymbolicLink()) {
            return Optional.of("a link");
        }
        if (attributes.isDirectory()) {
            return Optional.of("a folder");
        }
        return attributes.isRegularFile() ? Optional.empty() : Optional.of("a device or other special file");
    }

    /** The JDK's exceptions that carry no reason of their own, and the words for each. */
    private static final List<Map.Entry<Class<? extends FileSystemException>, String>> WORDS = List.of(
            Map.entry(NoSuchFileException.class, "not found"),
            Map.entry(AccessDeniedException.class, "permission denied"),
            Map.entry(FileAlreadyExistsException.class, "already exists"),
            Map.entry(NotDirectoryException.class, "not a folder"),
            Map.entry(DirectoryNotEmptyException.class, "folder not empty"),
            Map.entry(NotLinkException.class, "not a link"));

    private static String inWords(FileSystemException e) {
        for (Map.Entry<Class<? extends FileSystemException>, String> words : WORDS) {
            if (words.getKey().isInstance(e)) {
                return words.getValue();
            }
        }
        return e.getClass().getSimpleName();
    }
}
