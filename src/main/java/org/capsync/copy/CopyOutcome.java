package org.capsync.copy;

/**
 * What one attempt at one (CAP, file) did.
 *
 * @param reason why it was not copied (null when copied or unchanged)
 */
public record CopyOutcome(Kind kind, long bytes, String sha256, String reason, long millis) {

    public enum Kind { COPIED, UNCHANGED, IN_USE, FAILED }

    public boolean inUse() {
        return kind == Kind.IN_USE;
    }
}
