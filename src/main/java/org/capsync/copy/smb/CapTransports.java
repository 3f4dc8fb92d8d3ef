package org.capsync.copy.smb;

import java.util.List;
import java.util.Optional;

import org.capsync.copy.CapTransport;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyOutcome;
import org.capsync.copy.FileDigest;
import org.capsync.copy.LocalSharingViolations;
import org.capsync.copy.LocalTransport;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetFile;
import org.capsync.definition.SmbLocation;

/**
 * The transports that reach a job's CAPs, in the order {@code TargetCopier} asks them: local and UNC paths, then
 * {@code smb://} URLs. One place, so that the run and {@code capsync verify} (which only reads) always reach a CAP the
 * same way. Here rather than in {@code copy}, which knows no transport of its own package's children.
 */
public final class CapTransports {

    private CapTransports() {
    }

    /** @param smbSessions the SMB sessions of this process (a pool per server), which the caller closes */
    public static List<CapTransport> forJob(SmbSessions smbSessions) {
        return List.of(new LocalTransport(LocalSharingViolations.forThisMachine()), new FirstSmbCap(smbSessions));
    }

    /**
     * The SMB transport, made when the first {@code smb://} CAP needs it: linking it loads smbj's classes (its
     * constants and the types it is verified against), which a job of local CAPs has no use for.
     */
    private static final class FirstSmbCap implements CapTransport {
        private final SmbSessions sessions;
        private volatile CapTransport transport;

        FirstSmbCap(SmbSessions sessions) {
            this.sessions = sessions;
        }

        private CapTransport transport() {
            CapTransport made = transport;
            if (made == null) {
                synchronized (this) {
                    made = transport;
                    if (made == null) {
                        transport = made = new SmbTransport(sessions);
                    }
                }
            }
            return made;
        }

        @Override
        public boolean serves(String capPath) {
            return SmbLocation.isSmb(capPath);
        }

        @Override
        public Optional<FileDigest> digest(TargetFile target) throws CopyException {
            return transport().digest(target);
        }

        @Override
        public boolean holds(SourceFile source, TargetFile target) throws CopyException {
            return transport().holds(source, target);
        }

        @Override
        public void replace(SourceFile source, TargetFile target) throws CopyException {
            transport().replace(source, target);
        }

        @Override
        public void removeLeftovers(TargetFile target) throws CopyException {
            transport().removeLeftovers(target);
        }

        @Override
        public CopyOutcome.Kind update(SourceFile source, TargetFile target) throws CopyException {
            return transport().update(source, target);
        }

        @Override
        public Optional<String> unreadableByClients(TargetFile target) throws CopyException {
            return transport().unreadableByClients(target);
        }

        @Override
        public Optional<byte[]> readBeside(TargetFile target, String name) throws CopyException {
            return transport().readBeside(target, name);
        }

        @Override
        public void writeBeside(TargetFile target, String name, byte[] content) throws CopyException {
            transport().writeBeside(target, name, content);
        }

        @Override
        public void deleteBeside(TargetFile target, String name) throws CopyException {
            transport().deleteBeside(target, name);
        }
    }
}
