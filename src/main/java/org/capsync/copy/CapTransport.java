package org.capsync.copy;

import java.util.Optional;

/**
 * How files reach one kind of CAP path. Implementations never delete the target before the new bytes are in place:
 * they write a temp file beside it, verify it and rename it over the target.
 */
public interface CapTransport {

    /** Whether this transport serves the CAP path (e.g. {@code smb://} URLs or local and UNC paths). */
    boolean serves(String capPath);

    /** The target's size and SHA-256, or empty when it does not exist yet. */
    Optional<FileDigest> digest(TargetFile target) throws CopyException;

    /** Puts the source's bytes at the target atomically; on any failure the temp file is gone and the target intact. */
    void replace(SourceFile source, TargetFile target) throws CopyException;

    /**
     * Removes capsync's temp file beside a target that is already current, where a killed run may have left it (a
     * replace overwrites it; nothing else would). Absent temp file: nothing to do. Cheap: called for every unchanged CAP.
     */
    void discardTemp(TargetFile target) throws CopyException;
}
