package org.capsync.copy;

/** Why one copy attempt to one CAP did not complete. The message is for the administrator and names no secret. */
public abstract sealed class CopyException extends Exception permits SharingViolation, CopyFailure {

    protected CopyException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public String reason() {
        return getMessage();
    }
}
