package org.capsync.copy.smb;

import java.util.Set;

import com.hierynomus.mserref.NtStatus;
import com.hierynomus.mssmb2.SMBApiException;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyFailure;
import org.capsync.copy.SharingViolation;

/**
 * Tells a client holding a file on an SMB share from a real failure, by the NT status code the server answered and the
 * step that got it. The same codes come from Windows and Samba, on every client platform.
 */
final class SmbSharingViolations {

    /** What capsync was doing: access denied means "in use" only on the rename over the target. */
    public enum Step { READ_TARGET, WRITE_TEMP, OPEN_TARGET_FOR_DELETE, RENAME, TOKEN }

    public static final long STATUS_ACCESS_DENIED = 0xC0000022L;
    public static final long STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034L;
    public static final long STATUS_OBJECT_PATH_NOT_FOUND = 0xC000003AL;
    public static final long STATUS_SHARING_VIOLATION = 0xC0000043L;
    public static final long STATUS_FILE_LOCK_CONFLICT = 0xC0000054L;
    public static final long STATUS_LOCK_NOT_GRANTED = 0xC0000055L;
    public static final long STATUS_DELETE_PENDING = 0xC0000056L;
    public static final long STATUS_BAD_NETWORK_NAME = 0xC00000CCL;
    public static final long STATUS_NETWORK_NAME_DELETED = 0xC00000C9L;
    public static final long STATUS_USER_SESSION_DELETED = 0xC0000203L;
    public static final long STATUS_NETWORK_SESSION_EXPIRED = 0xC000035CL;
    public static final long STATUS_FILE_IS_A_DIRECTORY = 0xC00000BAL;

    /** A client has the file open without sharing what capsync asks for, holds a byte-range lock, or is deleting it. */
    private static final Set<Long> IN_USE = Set.of(STATUS_SHARING_VIOLATION, STATUS_FILE_LOCK_CONFLICT,
            STATUS_LOCK_NOT_GRANTED, STATUS_DELETE_PENDING);

    /** The server forgot the session or tree connect (restart, idle logoff): worth one reconnect. */
    private static final Set<Long> SESSION_LOST = Set.of(STATUS_NETWORK_NAME_DELETED, STATUS_USER_SESSION_DELETED,
            STATUS_NETWORK_SESSION_EXPIRED);

    private SmbSharingViolations() {
    }

    static boolean isSessionLost(long status) {
        return SESSION_LOST.contains(status);
    }

    /** Turns a server's answer into the transient {@link SharingViolation} or the permanent {@link CopyFailure}. */
    public static CopyException classify(SMBApiException e, Step step, String what) {
        long status = e.getStatusCode();
        String code = name(status);
        if (IN_USE.contains(status)) {
            return new SharingViolation("in use (" + code + " on " + what + ")", e);
        }
        if (status == STATUS_ACCESS_DENIED) {
            return step == Step.RENAME
                    ? new SharingViolation("in use (" + code + " renaming over " + what + ")", e)
                    : new CopyFailure("access denied (" + code + "): " + what, e);
        }
        if (status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND) {
            return new CopyFailure("not found (" + code + "): " + what, e);
        }
        if (status == STATUS_BAD_NETWORK_NAME) {
            return new CopyFailure("share not found (" + code + "): " + what, e);
        }
        return new CopyFailure(code + ": " + what, e);
    }

    /** {@code STATUS_SHARING_VIOLATION (0xc0000043)}: the name smbj knows and the code, which always identifies it. */
    static String name(long status) {
        NtStatus known = NtStatus.valueOf(status);
        String hex = String.format("0x%08x", status);
        return known == NtStatus.STATUS_OTHER ? hex : known.name() + " " + hex;
    }
}
