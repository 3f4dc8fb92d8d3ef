package org.capsync.copy.smb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.msdtyp.FileTime;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileBasicInformation;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2CreateOptions;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import org.capsync.copy.CapTransport;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyFailure;
import org.capsync.copy.FileDigest;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetFile;
import org.capsync.copy.smb.SmbSessions.SessionLost;
import org.capsync.copy.smb.SmbSharingViolations.Step;
import org.capsync.definition.SmbLocation;

/**
 * CAPs at {@code smb://HOST[:PORT]/SHARE[/FOLDER]}, reached over SMB 2/3 with smbj. Same semantics as local CAPs: temp
 * file beside the target, read back and verified, renamed over the target with replace; the target is never deleted
 * first. Samba lets that rename replace a file another client holds open (Windows refuses), so just before it the
 * target is opened for DELETE with full share access: a client that did not share delete makes the server answer
 * {@code STATUS_SHARING_VIOLATION}, on Windows and Samba alike, and the CAP is retried later.
 */
final class SmbTransport implements CapTransport {

    private static final int CHUNK = 1024 * 1024;
    private static final Set<SMB2CreateOptions> A_FILE = EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE);
    private static final Set<FileAttributes> NORMAL = EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL);

    private final SmbSessions sessions;

    public SmbTransport(SmbSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public boolean serves(String capPath) {
        return SmbLocation.isSmb(capPath);
    }

    @Override
    public Optional<FileDigest> digest(TargetFile target) throws CopyException {
        return digest(target, Long.MAX_VALUE);
    }

    /**
     * Reads no more of the target than one byte beyond the snapshot's size: a larger target is not the snapshot's
     * whatever follows, and a target of the snapshot's size is read in as few READs as it takes, with no extra one to
     * find its end.
     */
    @Override
    public boolean holds(SourceFile source, TargetFile target) throws CopyException {
        return digest(target, source.digest().size() + 1).map(source.digest()::equals).orElse(false);
    }

    /** The size and SHA-256 of the target's first {@code limit} bytes, or empty when there is no target. */
    private Optional<FileDigest> digest(TargetFile target, long limit) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), target.fileName());
        return sessions.onShare(location, share -> {
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_READ_ATTRIBUTES),
                    NORMAL, SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN, A_FILE)) {
                return Optional.of(FileDigest.of(new ReadStream(file, limit)));
            } catch (SMBRuntimeException e) {
                long status = statusOf(e);
                if (status == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                    return Optional.empty();
                }
                if (status == SmbSharingViolations.STATUS_OBJECT_PATH_NOT_FOUND) {
                    throw new CopyFailure("target folder " + location.describe(location.pathInShare(target.folder())) + " not found");
                }
                if (status == SmbSharingViolations.STATUS_FILE_IS_A_DIRECTORY) {
                    throw new CopyFailure("target " + location.describe(path) + " is a directory, not a file");
                }
                throw failure(e, Step.READ_TARGET, location.describe(path));
            } catch (IOException e) {
                throw lost(e);
            }
        });
    }

    @Override
    public void replace(SourceFile source, TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), target.fileName());
        String tempPath = location.pathInShare(target.folder(), target.tempName());
        sessions.onShare(location, share -> {
            File temp = openTemp(share, location, tempPath);
            boolean renamed = false;
            try {
                write(source, temp, location.describe(tempPath));
                verify(source, temp, location.describe(tempPath));
                refuseIfHeld(share, path, location.describe(path));
                try {
                    temp.rename(path, true);
                } catch (SMBRuntimeException e) {
                    throw failure(e, Step.RENAME, location.describe(path));
                }
                renamed = true;
            } finally {
                if (!renamed) {
                    removeQuietly(temp);
                }
                closeQuietly(temp);
            }
            return null;
        });
    }

    private static File openTemp(DiskShare share, SmbLocation location, String tempPath) throws CopyException {
        try {
            // One handle from creation to rename: write, set the date, read back, rename (needs DELETE).
            return share.openFile(tempPath,
                    EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_WRITE_DATA, AccessMask.FILE_READ_ATTRIBUTES,
                            AccessMask.FILE_WRITE_ATTRIBUTES, AccessMask.DELETE),
                    NORMAL, EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ), SMB2CreateDisposition.FILE_OVERWRITE_IF, A_FILE);
        } catch (SMBRuntimeException e) {
            if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_PATH_NOT_FOUND) {
                throw new CopyFailure("target folder " + location.describe(parent(tempPath)) + " not found");
            }
            throw failure(e, Step.WRITE_TEMP, location.describe(tempPath));
        }
    }

    private static void write(SourceFile source, File temp, String what) throws CopyException {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(source.path())) {
            long offset = 0;
            for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                long written = 0;
                while (written < n) {
                    written += temp.write(buffer, offset + written, (int) written, (int) (n - written));
                }
                offset += n;
            }
            // Clients compare date and size too (KB Q322967): the CAP copy carries the source's modification time.
            temp.setFileInformation(new FileBasicInformation(FileBasicInformation.DONT_SET, FileBasicInformation.DONT_SET,
                    FileTime.fromInstant(source.lastModified().toInstant()), FileBasicInformation.DONT_SET, 0));
        } catch (IOException e) {
            throw new CopyFailure("cannot read the run's snapshot of " + source.name() + ": " + e.getMessage(), e);
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.WRITE_TEMP, what);
        }
    }

    private static void verify(SourceFile source, File temp, String what) throws CopyException {
        FileDigest written;
        try {
            // One byte beyond the expected size: a temp file longer than the snapshot fails the check without a further READ.
            written = FileDigest.of(new ReadStream(temp, source.digest().size() + 1));
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.WRITE_TEMP, what);
        } catch (IOException e) {
            throw lost(e);
        }
        if (!written.equals(source.digest())) {
            throw new CopyFailure("verification failed: " + what + " read back " + written.size() + " bytes, sha256 "
                    + written.sha256() + ", expected " + source.digest().size() + " bytes, sha256 " + source.digest().sha256());
        }
    }

    /** Opens the target for DELETE, sharing everything: refused with a sharing violation while a client holds it. */
    private static void refuseIfHeld(DiskShare share, String path, String what) throws CopyException {
        try (File probe = share.openFile(path, EnumSet.of(AccessMask.DELETE), NORMAL, SMB2ShareAccess.ALL,
                SMB2CreateDisposition.FILE_OPEN, A_FILE)) {
            // Closed at once: Windows refuses a rename-with-replace over a target that is open, even by us.
        } catch (SMBRuntimeException e) {
            if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                return;
            }
            throw failure(e, Step.OPEN_TARGET_FOR_DELETE, what);
        }
    }

    @Override
    public Optional<byte[]> readBeside(TargetFile target, String name) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), name);
        return sessions.onShare(location, share -> {
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_READ_DATA), NORMAL, SMB2ShareAccess.ALL,
                    SMB2CreateDisposition.FILE_OPEN, A_FILE)) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                new ReadStream(file).transferTo(bytes);
                return Optional.of(bytes.toByteArray());
            } catch (SMBRuntimeException e) {
                if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                    return Optional.empty();
                }
                throw failure(e, Step.TOKEN, location.describe(path));
            } catch (IOException e) {
                throw lost(e);
            }
        });
    }

    @Override
    public void writeBeside(TargetFile target, String name, byte[] content) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), name);
        sessions.onShare(location, share -> {
            // Shared for reading and deleting: clients may look at it, and it must never be hard to remove.
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_WRITE_DATA), NORMAL,
                    EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ, SMB2ShareAccess.FILE_SHARE_DELETE),
                    SMB2CreateDisposition.FILE_OVERWRITE_IF, A_FILE)) {
                file.write(content, 0);
            } catch (SMBRuntimeException e) {
                throw failure(e, Step.TOKEN, location.describe(path));
            }
            return null;
        });
    }

    @Override
    public void deleteBeside(TargetFile target, String name) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), name);
        sessions.onShare(location, share -> {
            try {
                share.rm(path);
            } catch (SMBApiException e) {
                // Absent is the usual case (no temp file or token left behind): one round trip, not two.
                if (e.getStatus() != NtStatus.STATUS_OBJECT_NAME_NOT_FOUND) {
                    throw failure(e, Step.TOKEN, location.describe(path));
                }
            } catch (SMBRuntimeException e) {
                throw failure(e, Step.TOKEN, location.describe(path));
            }
            return null;
        });
    }

    private static SmbLocation location(TargetFile target) throws CopyFailure {
        try {
            return SmbLocation.parse(target.capPath());
        } catch (IllegalArgumentException e) {
            throw new CopyFailure("CAP " + target.capName() + ": " + e.getMessage());
        }
    }

    /** A server's answer becomes a classified {@link CopyException}; a lost connection or session goes up for a reconnect. */
    private static CopyException failure(SMBRuntimeException e, Step step, String what) {
        SessionLost lost = SmbSessions.lostOrNull(e);
        if (lost != null) {
            throw lost;
        }
        return SmbSharingViolations.classify((SMBApiException) e, step, what);
    }

    private static SessionLost lost(IOException e) {
        return new SessionLost(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }

    private static long statusOf(SMBRuntimeException e) {
        return e instanceof SMBApiException api ? api.getStatusCode() : 0;
    }

    private static String parent(String pathInShare) {
        int slash = pathInShare.lastIndexOf('\\');
        return slash < 0 ? "" : pathInShare.substring(0, slash);
    }

    private static void removeQuietly(File temp) {
        try {
            temp.deleteOnClose();
        } catch (RuntimeException e) {
            // The fixed temp name lets the next attempt or run overwrite and remove it.
        }
    }

    /**
     * Reads a file through SMB READ requests that fail loudly. smbj's own {@code File.getInputStream()} (0.14.0) takes
     * an error answer without data, such as {@code STATUS_FILE_LOCK_CONFLICT} for a range a client has locked, for the
     * end of the file: the digest of a locked target would be that of an empty file.
     *
     * <p>Each READ asks for as much as one request may carry (a round trip each, whatever the caller's buffer), and
     * an answer shorter than asked ends the stream: a server answers fewer bytes than asked only at the end of the
     * file, so a file that fits one request takes one READ, not a second one to be told it ended. With a limit, it
     * reads no further: {@code size + 1} bytes say whether a file holds exactly {@code size}.
     */
    private static final class ReadStream extends InputStream {
        private final File file;
        private final long limit;
        private final byte[] chunk;
        private long position;
        private int chunkStart;
        private int chunkEnd;
        private boolean ended;

        ReadStream(File file) {
            this(file, Long.MAX_VALUE);
        }

        ReadStream(File file, long limit) {
            this.file = file;
            this.limit = limit;
            // What smbj sends at most per READ (it cuts longer requests down to this, which is no end of file).
            int maxRead = Math.min(file.getDiskShare().getTreeConnect().getConfig().getReadBufferSize(),
                    file.getDiskShare().getTreeConnect().getNegotiatedProtocol().getMaxReadSize());
            this.chunk = new byte[(int) Math.min(maxRead, Math.max(1, limit))];
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (chunkStart == chunkEnd && !fetch()) {
                return -1;
            }
            int n = Math.min(length, chunkEnd - chunkStart);
            System.arraycopy(chunk, chunkStart, buffer, offset, n);
            chunkStart += n;
            return n;
        }

        private boolean fetch() {
            if (ended || position >= limit) {
                return false;
            }
            int ask = (int) Math.min(chunk.length, limit - position);
            int n = file.read(chunk, position, 0, ask);
            if (n <= 0) {
                ended = true;
                return false;
            }
            position += n;
            chunkStart = 0;
            chunkEnd = n;
            ended = n < ask;
            return true;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }

    private static void closeQuietly(File file) {
        try {
            file.close();
        } catch (RuntimeException e) {
            // connection gone: the server closes the handle itself
        }
    }
}
