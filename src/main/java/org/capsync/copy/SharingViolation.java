package org.capsync.copy;

/**
 * The target is held open or locked by a client (Win32 error 32/33, EBUSY on a CIFS mount, an SMB sharing violation or
 * a POSIX record lock). Transient: the attempt is tried again after a backoff and the CAP is skipped when they run out.
 */
public final class SharingViolation extends CopyException {

    public SharingViolation(String reason, Throwable cause) {
        super(reason, cause);
    }

    public SharingViolation(String reason) {
        this(reason, null);
    }
}
