package org.capsync.copy;

import java.util.Optional;

/**
 * How files reach one kind of CAP path. Implementations never delete the target before the new bytes are in place:
 * they write a temp file beside it, verify it and rename it over the target. They never write outside the target's
 * folder and never through a link (or reparse point) someone placed there: see docs/safety.md.
 */
public interface CapTransport {

    /** Whether this transport serves the CAP path (e.g. {@code smb://} URLs or local and UNC paths). */
    boolean serves(String capPath);

    /** The target's size and SHA-256, or empty when it does not exist yet. */
    Optional<FileDigest> digest(TargetFile target) throws CopyException;

    /**
     * As {@link #digest(TargetFile)}, but a huge target whose size is not {@code size} may come back unhashed (SHA-256
     * null): it differs whatever it holds, and would keep an audit reading it.
     */
    default Optional<FileDigest> digest(TargetFile target, long size) throws CopyException {
        return digest(target);
    }

    /**
     * Whether the target already holds exactly the source's bytes (then it is left alone). By default its size and
     * SHA-256 are compared with the snapshot's; a transport may compare the bytes themselves, which says the same.
     */
    default boolean holds(SourceFile source, TargetFile target) throws CopyException {
        return digest(target).map(source.digest()::equals).orElse(false);
    }

    /**
     * Puts the source's bytes at the target atomically, through a temp file created new under a name of its own
     * ({@link TargetFile#newTempName}); on any failure the temp file is gone and the target intact. Removes what
     * {@link #removeLeftovers} removes too, through the same folder handle.
     */
    void replace(SourceFile source, TargetFile target) throws CopyException;

    /**
     * One visit to the target: {@link CopyOutcome.Kind#UNCHANGED} when it already {@link #holds} the source's bytes
     * (then the temp files of killed attempts are removed, as {@link #removeLeftovers} does), else {@link #replace}d and
     * {@link CopyOutcome.Kind#COPIED}. A transport may do it all through one opening of the target's folder.
     */
    default CopyOutcome.Kind update(SourceFile source, TargetFile target) throws CopyException {
        if (holds(source, target)) {
            removeLeftovers(target);
            return CopyOutcome.Kind.UNCHANGED;
        }
        replace(source, target);
        return CopyOutcome.Kind.COPIED;
    }

    /**
     * Removes the temp files of this job and file that killed attempts left beside the target, never one a live writer
     * (in this process or another) is still writing; what cannot be removed now waits for a later attempt.
     */
    void removeLeftovers(TargetFile target) throws CopyException;

    /** Why clients could not read the target although it exists, when the transport can tell; else empty. */
    default Optional<String> unreadableByClients(TargetFile target) throws CopyException {
        return Optional.empty();
    }

    /** A small file in the target's folder (the lock token), or empty when there is none. */
    Optional<byte[]> readBeside(TargetFile target, String name) throws CopyException;

    /**
     * Creates a small file in the target's folder (the lock token); others may read or delete it. Never overwrites:
     * a file (or link) already there under the name is another writer's, and the answer is "in use".
     */
    void writeBeside(TargetFile target, String name, byte[] content) throws CopyException;

    /** Removes a file from the target's folder if it is there; in use while a client holds it without delete sharing. */
    void deleteBeside(TargetFile target, String name) throws CopyException;
}
