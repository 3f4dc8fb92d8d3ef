package org.capsync.copy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Set;

/**
 * Tells a client holding a local, UNC or mounted-share file open from a real failure, by exception class and by the
 * operation that raised it, not by English text alone:
 * <ul>
 * <li>Windows: Win32 error 32/33 reach java.nio as a plain {@link FileSystemException} (exactly that class) whose reason
 * is the OS's localized message; the messages this machine gives for them are obtained at start-up
 * ({@link WindowsMessages}) and compared. A rename over an open target arrives as {@link AccessDeniedException}.</li>
 * <li>Linux CIFS mount: EBUSY arrives as a plain {@link FileSystemException} "Device or resource busy"; a byte-range
 * lock conflict (the server's STATUS_FILE_LOCK_CONFLICT, EACCES to Linux) as {@link AccessDeniedException} on a path
 * operation, or as a plain {@link IOException} "Permission denied" from reading a target that opened fine, which its
 * permissions cannot explain.</li>
 * </ul>
 */
public final class LocalSharingViolations {

    /** What was being done when the exception arose: access denied means "in use" only when replacing the target. */
    public enum Operation { READ_TARGET, WRITE_TEMP, REPLACE_TARGET }

    private static final Set<String> KNOWN_IN_USE = Set.of(
            "the process cannot access the file because it is being used by another process.",
            "the process cannot access the file because another process has locked a portion of the file.",
            "device or resource busy",
            "text file busy");

    /** EACCES from read(2) on an open file: on a CIFS mount, another client's byte-range lock. */
    private static final String LOCK_CONFLICT_ON_READ = "permission denied";

    private final Set<String> inUseReasons;

    /** @param osInUseReasons the OS's own (possibly localized) messages for a sharing or lock violation */
    public LocalSharingViolations(Set<String> osInUseReasons) {
        this.inUseReasons = osInUseReasons.stream().map(LocalSharingViolations::normalize).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public static LocalSharingViolations forThisMachine() {
        return new LocalSharingViolations(WindowsMessages.sharingViolationReasons());
    }

    /** Turns an I/O failure into the transient {@link SharingViolation} or the permanent {@link CopyFailure}. */
    public CopyException classify(IOException e, Operation operation, String what) {
        if (e instanceof AccessDeniedException) {
            return operation == Operation.REPLACE_TARGET
                    ? new SharingViolation("in use (access denied while replacing " + what + ")", e)
                    : new CopyFailure("access denied: " + what, e);
        }
        if (e instanceof NoSuchFileException) {
            return new CopyFailure("not found: " + what, e);
        }
        if (e.getClass() == FileSystemException.class && isInUseReason(((FileSystemException) e).getReason())) {
            return new SharingViolation("in use (sharing violation: " + ((FileSystemException) e).getReason() + ")", e);
        }
        if (e.getClass() == IOException.class && operation == Operation.READ_TARGET && LOCK_CONFLICT_ON_READ.equals(normalize(String.valueOf(e.getMessage())))) {
            return new SharingViolation("in use (lock conflict reading " + what + ": " + e.getMessage() + ")", e);
        }
        if (e.getClass() == IOException.class && isInUseReason(e.getMessage())) {
            // Reads and writes through a channel report a lock violation without the path-bearing subclass.
            return new SharingViolation("in use (lock violation: " + e.getMessage() + ")", e);
        }
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : String.valueOf(e.getMessage());
        return new CopyFailure(reason + ": " + what, e);
    }

    private boolean isInUseReason(String reason) {
        if (reason == null) {
            return false;
        }
        String normalized = normalize(reason);
        return inUseReasons.contains(normalized) || KNOWN_IN_USE.contains(normalized);
    }

    private static String normalize(String reason) {
        return reason.strip().toLowerCase(Locale.ROOT);
    }
}
