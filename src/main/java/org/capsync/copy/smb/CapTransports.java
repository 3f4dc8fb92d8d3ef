package org.capsync.copy.smb;

import java.util.List;

import org.capsync.copy.CapTransport;
import org.capsync.copy.LocalSharingViolations;
import org.capsync.copy.LocalTransport;

/**
 * The transports that reach a job's CAPs, in the order {@code TargetCopier} asks them: local and UNC paths, then
 * {@code smb://} URLs. One place, so that the run and {@code capsync verify} (which only reads) always reach a CAP the
 * same way. Here rather than in {@code copy}, which knows no transport of its own package's children.
 */
public final class CapTransports {

    private CapTransports() {
    }

    /** @param smbSessions the SMB sessions of this process (one per server), which the caller closes */
    public static List<CapTransport> forJob(SmbSessions smbSessions) {
        return List.of(new LocalTransport(LocalSharingViolations.forThisMachine()), new SmbTransport(smbSessions));
    }
}
