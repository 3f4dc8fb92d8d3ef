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
}
