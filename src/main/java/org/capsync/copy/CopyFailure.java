package org.capsync.copy;

/** A permanent failure at a CAP (folder missing, access denied, disk full, verification failed): no retry. */
public final class CopyFailure extends CopyException {

    public CopyFailure(String reason, Throwable cause) {
        super(reason, cause);
    }

    public CopyFailure(String reason) {
        this(reason, null);
    }
}
