package org.capsync.copy;

import java.util.List;

/**
 * One attempt to bring one (CAP, file) up to date: leave it alone when it already holds the snapshot's bytes, otherwise
 * replace it through the transport that serves the CAP's path. Plain Java, so tests drive it without Spring.
 */
public final class TargetCopier {

    private final List<CapTransport> transports;
    private final LockToken lockToken;

    public TargetCopier(List<CapTransport> transports) {
        this(transports, null);
    }

    /** @param lockToken SMS reader coordination, or null when the job does not ask for it */
    public TargetCopier(List<CapTransport> transports, LockToken lockToken) {
        this.transports = List.copyOf(transports);
        this.lockToken = lockToken;
    }

    public CopyOutcome attempt(SourceFile source, TargetFile target) {
        long start = System.nanoTime();
        FileDigest wanted = source.digest();
        try {
            CapTransport transport = transportFor(target.capPath());
            CopyOutcome.Kind kind = lockToken == null ? transport.update(source, target)
                    : updateUnderLockToken(transport, source, target);
            long bytes = kind == CopyOutcome.Kind.COPIED ? wanted.size() : 0;
            return new CopyOutcome(kind, bytes, wanted.sha256(), null, millisSince(start));
        } catch (CopyException e) {
            CopyOutcome.Kind kind = e instanceof SharingViolation ? CopyOutcome.Kind.IN_USE : CopyOutcome.Kind.FAILED;
            return new CopyOutcome(kind, 0, null, e.reason(), millisSince(start));
        } catch (RuntimeException e) {
            // A bug or an unexpected runtime fault at one CAP must not end the run for all the others.
            return new CopyOutcome(CopyOutcome.Kind.FAILED, 0, null, "unexpected error: " + e, millisSince(start));
        }
    }

    /** As {@link CapTransport#update}, with the SMS readers' lock token held while the target is replaced. */
    private CopyOutcome.Kind updateUnderLockToken(CapTransport transport, SourceFile source, TargetFile target)
            throws CopyException {
        lockToken.clearStale(transport, target);
        if (transport.holds(source, target)) {
            // An attempt killed between writing its temp file and the rename leaves one behind.
            transport.removeLeftovers(target);
            return CopyOutcome.Kind.UNCHANGED;
        }
        lockToken.acquire(transport, target);
        try {
            transport.replace(source, target);
        } finally {
            lockToken.release(transport, target);
        }
        return CopyOutcome.Kind.COPIED;
    }

    private CapTransport transportFor(String capPath) throws CopyFailure {
        for (CapTransport transport : transports) {
            if (transport.serves(capPath)) {
                return transport;
            }
        }
        throw new CopyFailure("no transport for CAP path " + capPath);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
