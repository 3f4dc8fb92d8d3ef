package org.capsync.copy.smb;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.msdtyp.FileTime;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileBasicInformation;
import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import com.hierynomus.msfscc.fileinformation.FileInformation;
import com.hierynomus.msfscc.fileinformation.FileInformationFactory;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2CreateOptions;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.mssmb2.messages.SMB2QueryDirectoryResponse;
import com.hierynomus.mssmb2.messages.SMB2SetInfoRequest;
import com.hierynomus.smb.SMBBuffer;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.DiskEntry;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import com.hierynomus.smbj.share.TreeConnect;
import org.capsync.copy.CapTransport;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyFailure;
import org.capsync.copy.CopyOutcome;
import org.capsync.copy.FileDigest;
import org.capsync.copy.SnapshotBytes;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetFile;
import org.capsync.copy.smb.SmbSessions.SessionLost;
import org.capsync.copy.smb.SmbSharingViolations.Step;
import org.capsync.definition.FileSystemReason;
import org.capsync.definition.SmbLocation;

/**
 * CAPs at {@code smb://HOST[:PORT]/SHARE[/FOLDER]}, reached over SMB 2/3 with smbj. Same semantics as local CAPs: temp
 * file beside the target, read back and verified, renamed over the target with replace; the target is never deleted
 * first. Samba lets that rename replace a file another client holds open (Windows refuses), so just before it the
 * target is opened for DELETE with full share access: a client that did not share delete makes the server answer
 * {@code STATUS_SHARING_VIOLATION}, on Windows and Samba alike, and the CAP is retried later.
 *
 * <p>Links: every existing file is opened with {@code FILE_OPEN_REPARSE_POINT}, so the server opens a symbolic link or
 * junction itself rather than what it names, and a target, target folder or lock token that is a reparse point is
 * refused (docs/safety.md). The temp file is created new ({@code FILE_CREATE}) under a name no other attempt uses, and
 * deletes open the name itself: smbj would otherwise follow a link the server reports, client-side.
 */
final class SmbTransport implements CapTransport {

    private static final int CHUNK = 1024 * 1024;
    private static final Set<SMB2CreateOptions> A_FILE = EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE);
    /** An existing file, a link in its place opened as itself (then refused by its attributes), never followed. */
    private static final Set<SMB2CreateOptions> A_FILE_AS_IS = EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE,
            SMB2CreateOptions.FILE_OPEN_REPARSE_POINT);
    private static final Set<SMB2CreateOptions> A_FOLDER_AS_IS = EnumSet.of(SMB2CreateOptions.FILE_DIRECTORY_FILE,
            SMB2CreateOptions.FILE_OPEN_REPARSE_POINT);
    /** How the target is opened to be compared, and its folder to be checked and listed. */
    private static final Set<AccessMask> READ_ACCESS = EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_READ_ATTRIBUTES);
    private static final Set<AccessMask> LIST_ACCESS = EnumSet.of(AccessMask.FILE_LIST_DIRECTORY,
            AccessMask.FILE_READ_ATTRIBUTES);
    private static final long DIRECTORY = FileAttributes.FILE_ATTRIBUTE_DIRECTORY.getValue();
    private static final long STATUS_NOT_A_DIRECTORY = 0xC0000103L;
    private static final long STATUS_OBJECT_NAME_COLLISION = 0xC0000035L;
    private static final long STATUS_STOPPED_ON_SYMLINK = 0x8000002DL;
    private static final Set<FileAttributes> NORMAL = EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL);

    private final SmbSessions sessions;
    /** The snapshot files' bytes, written and compared without hashing every CAP's file. */
    private final SnapshotBytes snapshots = new SnapshotBytes();
    /**
     * Threads for the work a CAP's visit runs beside its own thread: the temp file's creation beside the compare's
     * READ, the in-use probe beside the last WRITE and the read-back (see update). Daemons; idle ones end soon.
     */
    private final ExecutorService beside = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
            new SynchronousQueue<>(), work -> {
                Thread thread = new Thread(work, "smb-beside");
                thread.setDaemon(true);
                return thread;
            });

    public SmbTransport(SmbSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public boolean serves(String capPath) {
        return SmbLocation.isSmb(capPath);
    }

    /** The whole target's size and SHA-256 (verify's audit), or empty when there is no target. */
    @Override
    public Optional<FileDigest> digest(TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), target.fileName());
        return sessions.onShare(location, share -> {
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_READ_ATTRIBUTES),
                    NORMAL, SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN, A_FILE_AS_IS)) {
                return Optional.of(digestUnlessLink(file, Long.MAX_VALUE, "target " + location.describe(path)));
            } catch (SMBRuntimeException e) {
                if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                    return Optional.empty();
                }
                throw targetFailure(e, share, location, target, path);
            } catch (IOException e) {
                throw lost(e);
            }
        });
    }

    /** Whether the target holds the snapshot's bytes: see {@link #opened} and {@link #holdsSnapshot}. */
    @Override
    public boolean holds(SourceFile source, TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String path = location.pathInShare(target.folder(), target.fileName());
        return sessions.onShare(location, share -> {
            OpenAhead file = OpenAhead.send(share, path, READ_ACCESS, false);
            try {
                return opened(file, share, location, target, path)
                        && holdsSnapshot(file, source, location.describe(path));
            } finally {
                file.closeNoWait();
            }
        });
    }

    /**
     * As the default, through one session, in as few round trips as the order of the work allows. The target and its
     * folder are opened together, as themselves; their answers say whether either is a link (refused) and the target's
     * date. Then the target is read and compared and, in the same round trip, the folder listed for killed attempts'
     * temp files and, when the target is missing or its date is not the snapshot's (so it almost surely needs the
     * snapshot), the temp file created, in the folder just found to be no link. The bytes decide: a temp file made for
     * a target that proved to hold the snapshot, or to be in use, is removed again. Nothing is written into the temp
     * file before the compare has ended well. The target's failure to open is said before the folder's. A target found
     * to be no link is not asked again right before the rename: a link put there in between is replaced, not followed,
     * by the rename.
     */
    @Override
    public CopyOutcome.Kind update(SourceFile source, TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String folderPath = location.pathInShare(target.folder());
        String path = location.pathInShare(target.folder(), target.fileName());
        return sessions.onShare(location, share -> {
            // Drawn here, so a retry after a reconnect never meets its own.
            String tempName = target.newTempName();
            String tempPath = location.pathInShare(target.folder(), tempName);
            OpenAhead file = OpenAhead.send(share, path, READ_ACCESS, false);
            OpenAhead folder;
            try {
                folder = OpenAhead.send(share, folderPath, LIST_ACCESS, true);
            } catch (RuntimeException e) {
                file.closeNoWait();
                throw e;
            }
            Future<File> madeAhead = null;
            boolean lost = false;
            try {
                boolean present;
                try {
                    present = opened(file, share, location, target, path);
                } catch (CopyException | RuntimeException e) {
                    if (!(e instanceof SessionLost)) {
                        suppressInto(e, () -> checkFolder(folder, share, location, folderPath));
                    }
                    throw e;
                }
                checkFolder(folder, share, location, folderPath);
                SentAhead<SMB2QueryDirectoryResponse> listing = folder.listAhead(target.leftoverPattern());
                if (!present || !sameDate(file.lastWriteTime(), source)) {
                    madeAhead = beside.submit(() -> openTemp(share, location, tempPath));
                }
                Found found;
                try {
                    found = !present ? Found.ABSENT
                            : holdsSnapshot(file, source, location.describe(path)) ? Found.HOLDS : Found.DIFFERS;
                } catch (CopyException | RuntimeException e) {
                    // In use, say: the folder is cleaned all the same.
                    if (!(e instanceof SessionLost)) {
                        suppressInto(e, () -> removeListedLeftovers(folder, listing, share, location, folderPath,
                                target, tempName));
                    }
                    throw e;
                }
                // Closed without waiting: nothing follows on the handle, and where a rename over the target follows
                // (Windows refuses one over a file that is still open, even by us), round trips waited for come first.
                file.closeNoWait();
                removeListedLeftovers(folder, listing, share, location, folderPath, target, tempName);
                folder.closeNoWait();
                if (found == Found.HOLDS) {
                    return CopyOutcome.Kind.UNCHANGED;
                }
                File temp = madeAhead != null ? await(madeAhead) : openTemp(share, location, tempPath);
                madeAhead = null;
                writeAndRename(share, location, source, target, found == Found.ABSENT, temp, tempPath);
                return CopyOutcome.Kind.COPIED;
            } catch (SessionLost e) {
                lost = true;
                throw e;
            } finally {
                // A lost connection takes its handles with it, and waiting on it again would only cost its timeout;
                // a temp file it leaves is a later attempt's leftover.
                if (!lost) {
                    file.closeNoWait();
                    folder.closeNoWait();
                    if (madeAhead != null) {
                        removeQuietly(madeAhead);
                    }
                }
            }
        });
    }

    /** Work done after a failure, whose own failure is kept with the first one. */
    private interface Afterwards {
        void run() throws CopyException;
    }

    private static void suppressInto(Exception failure, Afterwards afterwards) {
        try {
            afterwards.run();
        } catch (CopyException | RuntimeException alsoThere) {
            failure.addSuppressed(alsoThere);
        }
    }

    /**
     * Whether the target's date is the snapshot's, as capsync sets it on every copy: to within 2 s, the coarsest
     * resolution a CAP's file system may keep (FAT), so that a current target is never taken for a stale one.
     */
    private static boolean sameDate(FileTime targetDate, SourceFile source) {
        return Math.abs(targetDate.toEpochMillis() - source.lastModified().toMillis()) <= 2000;
    }

    /**
     * Waits for work run beside this thread, however long smbj's own timeouts let it take (an interrupt is kept for
     * later: the work must have ended when the CAP's visit does), and throws its failure here as it was thrown there.
     */
    private static <T> T await(Future<T> work) throws CopyException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return work.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof CopyException copy) {
                        throw copy;
                    }
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for work run beside this thread, if it was started, after this thread's own failure, the one said; the
     * other's is suppressed.
     */
    private static void awaitAfter(Throwable failure, Future<?> work) {
        if (work == null) {
            return;
        }
        try {
            await(work);
        } catch (CopyException | RuntimeException | Error alsoThere) {
            failure.addSuppressed(alsoThere);
        }
    }

    /** What the compare found at the target. */
    private enum Found { ABSENT, HOLDS, DIFFERS }

    /**
     * Waits for the target's open (see {@link OpenAhead}): false when there is no target; a link is refused, whatever
     * else is true of it.
     */
    private static boolean opened(OpenAhead file, DiskShare share, SmbLocation location, TargetFile target, String path)
            throws CopyException {
        try {
            file.await();
        } catch (SMBRuntimeException e) {
            if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                return false;
            }
            throw targetFailure(e, share, location, target, path);
        }
        refuseIfLink(file.isLink(), "target " + location.describe(path));
        return true;
    }

    /**
     * Whether the opened target holds the snapshot's bytes. Reads no more of it than one byte beyond the snapshot's
     * size: a larger target is not the snapshot's whatever follows, and one of the snapshot's size is read in as few
     * READs as it takes, with no extra one to find its end. Read even when the date alone says it differs: a READ is
     * what meets a client's byte-range lock (in use).
     */
    private boolean holdsSnapshot(OpenAhead file, SourceFile source, String what) throws CopyException {
        try {
            return snapshots.sameAs(source, new ReadStream(file.tree(), file::read, source.digest().size() + 1));
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.READ_TARGET, what);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** What a failure to open or read the target means: a missing folder or a directory said as such, else a failure. */
    private static CopyException targetFailure(SMBRuntimeException e, DiskShare share, SmbLocation location,
            TargetFile target, String path) {
        long status = statusOf(e);
        if (status == SmbSharingViolations.STATUS_OBJECT_PATH_NOT_FOUND || status == STATUS_NOT_A_DIRECTORY) {
            return missingFolder(share, location, location.pathInShare(target.folder()));
        }
        if (status == SmbSharingViolations.STATUS_FILE_IS_A_DIRECTORY) {
            return new CopyFailure("target " + location.describe(path) + " is a directory, not a file");
        }
        if (status == STATUS_STOPPED_ON_SYMLINK) {
            return linkOnPath(location, path);
        }
        return failure(e, Step.READ_TARGET, location.describe(path));
    }

    @Override
    public void replace(SourceFile source, TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String folderPath = location.pathInShare(target.folder());
        sessions.onShare(location, share -> {
            // One folder handle checks the folder and removes killed attempts' temp files: round trips are the cost here.
            checkFolderAndRemoveLeftovers(share, location, folderPath, target);
            String tempPath = location.pathInShare(target.folder(), target.newTempName());
            writeAndRename(share, location, source, target, true, openTemp(share, location, tempPath), tempPath);
            return null;
        });
    }

    /**
     * Writes the snapshot to the temp file just created new beside the target ({@link #openTemp}), reads it back, and
     * renames it over the target once no client holds that; removes it on any failure.
     *
     * @param checkLink whether the target must be asked whether it is a link: not when {@link #opened} just found it
     *                  was none
     */
    private void writeAndRename(DiskShare share, SmbLocation location, SourceFile source, TargetFile target,
            boolean checkLink, File temp, String tempPath) throws CopyException {
        String path = location.pathInShare(target.folder(), target.fileName());
        // The probe (does a client hold the target?) opens and closes the target from the last WRITE on: side by side,
        // their requests share round trips. Between the probe and the rename lie the last WRITE's answer and the
        // read-back (a READ per MB of the file). The rename waits for the probe.
        AtomicReference<Future<Void>> probe = new AtomicReference<>();
        Runnable startProbe = () -> probe.set(beside.submit(() -> {
            refuseIfHeld(share, path, location.describe(path), checkLink);
            return null;
        }));
        boolean renamed = false;
        try {
            try {
                SentAhead<?> date = write(source, temp, location.describe(tempPath), startProbe);
                verify(source, temp, location.describe(tempPath));
                dateSet(date, location.describe(tempPath));
            } catch (Throwable e) {
                awaitAfter(e, probe.get());
                throw e;
            }
            await(probe.get());
            try {
                temp.rename(path, true);
            } catch (SMBRuntimeException e) {
                throw failure(e, Step.RENAME, location.describe(path));
            }
            renamed = true;
        } finally {
            if (renamed) {
                // Nothing follows on this handle, and its answer changes nothing: the next request need not wait for it.
                closeNoWait(temp);
            } else {
                removeQuietly(temp);
                closeQuietly(temp);
            }
        }
    }

    private static File openTemp(DiskShare share, SmbLocation location, String tempPath) throws CopyException {
        try {
            // One handle from creation to rename: write, set the date, read back, rename (needs DELETE). Created new,
            // never opened through whatever has the name; shared for reading only, so no one deletes it meanwhile
            // (which is also what tells removeLeftovers that a writer still lives).
            return share.openFile(tempPath,
                    EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_WRITE_DATA, AccessMask.FILE_READ_ATTRIBUTES,
                            AccessMask.FILE_WRITE_ATTRIBUTES, AccessMask.DELETE),
                    NORMAL, EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ), SMB2CreateDisposition.FILE_CREATE, A_FILE);
        } catch (SMBRuntimeException e) {
            long status = statusOf(e);
            if (status == SmbSharingViolations.STATUS_OBJECT_PATH_NOT_FOUND || status == STATUS_NOT_A_DIRECTORY) {
                throw missingFolder(share, location, parent(tempPath));
            }
            if (status == STATUS_OBJECT_NAME_COLLISION) {
                throw new CopyFailure("temp file " + location.describe(tempPath) + " already exists", e);
            }
            throw failure(e, Step.WRITE_TEMP, location.describe(tempPath));
        }
    }

    /**
     * Writes the snapshot, every WRITE waited for (its answer is the server's word on it: a full disk, a quota), then
     * sends the source's date without waiting, so that its answer shares the read-back's round trip; see
     * {@link #dateSet}. The date goes after the last WRITE's answer: a server that completes writes apart from the
     * request (Samba's asynchronous I/O) could otherwise write after the date was set and stamp the file with its own.
     *
     * @param beforeLastPiece run once: just before the piece that reaches the snapshot's size (the only one, for most
     *                        files) is sent, or after the last piece read when none did (an empty snapshot)
     * @return the SET_INFO carrying the date, sent
     */
    private SentAhead<?> write(SourceFile source, File temp, String what, Runnable beforeLastPiece)
            throws CopyException {
        long size = source.digest().size();
        byte[] buffer = new byte[(int) Math.min(CHUNK, Math.max(1, size))];
        byte[] held = snapshots.of(source);
        try (InputStream in = SnapshotBytes.held(source, held) ? new ByteArrayInputStream(held)
                : Files.newInputStream(source.path())) {
            long offset = 0;
            boolean started = false;
            for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; offset += n) {
                if (!started && offset + n >= size) {
                    beforeLastPiece.run();
                    started = true;
                }
                writeFully(temp, buffer, 0, n, offset);
            }
            if (!started) {
                beforeLastPiece.run();
            }
            // Clients compare date and size too (KB Q322967): the CAP copy carries the source's modification time.
            return setDateAhead(temp, FileTime.fromInstant(source.lastModified().toInstant()));
        } catch (IOException e) {
            throw new CopyFailure("cannot read the run's snapshot of " + source.name() + ": "
                    + FileSystemReason.of(e, source.path()), e);
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.WRITE_TEMP, what);
        }
    }

    /** Sends a SET_INFO of the file's modification time (nothing else changed), as smbj's setFileInformation would. */
    private static SentAhead<?> setDateAhead(File file, FileTime lastModified) {
        FileBasicInformation date = new FileBasicInformation(FileBasicInformation.DONT_SET, FileBasicInformation.DONT_SET,
                lastModified, FileBasicInformation.DONT_SET, 0);
        SMBBuffer encoded = new SMBBuffer();
        FileInformation.Encoder<FileBasicInformation> encoder = FileInformationFactory.getEncoder(date);
        encoder.write(date, encoded);
        TreeConnect tree = file.getDiskShare().getTreeConnect();
        return SentAhead.send(tree, new SMB2SetInfoRequest(tree.getNegotiatedProtocol().getDialect(),
                tree.getSession().getSessionId(), tree.getTreeId(), SMB2SetInfoRequest.SMB2InfoType.SMB2_0_INFO_FILE,
                file.getFileId(), encoder.getInformationClass(), null, encoded.getCompactData()),
                "SetInfo for " + file.getFileId());
    }

    /** The date's SET_INFO answered well: a file without the source's date is not a good copy. */
    private static void dateSet(SentAhead<?> date, String what) throws CopyException {
        try {
            date.answer();
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.WRITE_TEMP, what);
        }
    }

    private static void writeFully(File temp, byte[] buffer, int from, int length, long fileOffset) {
        long written = 0;
        while (written < length) {
            written += temp.write(buffer, fileOffset + written, from + (int) written, length - (int) written);
        }
    }

    private void verify(SourceFile source, File temp, String what) throws CopyException {
        boolean same;
        try {
            // One byte beyond the expected size: a temp file longer than the snapshot fails the check without a further READ.
            same = snapshots.sameAs(source, new ReadStream(temp, source.digest().size() + 1));
        } catch (SMBRuntimeException e) {
            throw failure(e, Step.WRITE_TEMP, what);
        } catch (IOException e) {
            throw lost(e);
        }
        if (!same) {
            throw new CopyFailure("verification failed: " + what + " does not read back as the snapshot's "
                    + source.digest().size() + " bytes (sha256 " + source.digest().sha256() + ")");
        }
    }

    /**
     * Opens the target for DELETE, sharing everything: refused with a sharing violation while a client holds it. A
     * target that is a link (reparse point) is refused: the rename would replace the link, and clients read what it
     * names. The link question's answer is waited for before the CLOSE: a server may serve requests that are not
     * compounded in any order, and a CLOSE served first would leave the question unanswerable.
     */
    private static void refuseIfHeld(DiskShare share, String path, String what, boolean checkLink) throws CopyException {
        try (File probe = share.openFile(path, EnumSet.of(AccessMask.DELETE, AccessMask.FILE_READ_ATTRIBUTES), NORMAL,
                SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN, A_FILE_AS_IS)) {
            if (checkLink) {
                refuseIfLink(probe, "target " + what);
            }
            // Closed at once, and waited for: Windows refuses a rename-with-replace over a target that is open, even by us.
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
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_READ_DATA, AccessMask.FILE_READ_ATTRIBUTES),
                    NORMAL, SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN, A_FILE_AS_IS)) {
                refuseIfLink(file, location.describe(path));
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
            refuseIfLinkedFolder(share, location, location.pathInShare(target.folder()));
            // Shared for reading and deleting: clients may look at it, and it must never be hard to remove. Created
            // new: a file or link already there under the name is another writer's.
            try (File file = share.openFile(path, EnumSet.of(AccessMask.FILE_WRITE_DATA), NORMAL,
                    EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ, SMB2ShareAccess.FILE_SHARE_DELETE),
                    SMB2CreateDisposition.FILE_CREATE, A_FILE)) {
                file.write(content, 0);
            } catch (SMBRuntimeException e) {
                if (statusOf(e) == STATUS_OBJECT_NAME_COLLISION) {
                    throw new org.capsync.copy.SharingViolation("in use (" + location.describe(path)
                            + " appeared: another writer's)", e);
                }
                if (statusOf(e) == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
                    // Creating a name that exists can only fail this way when it is a link the server will not follow.
                    throw new CopyFailure(location.describe(path) + " cannot be created: the name is taken by something"
                            + " the server cannot open (a dangling link?)", e);
                }
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
                deleteAsIs(share, path);
            } catch (SMBApiException e) {
                // Absent is the usual case (no token left behind): one round trip, not two.
                if (e.getStatus() != NtStatus.STATUS_OBJECT_NAME_NOT_FOUND) {
                    throw failure(e, Step.TOKEN, location.describe(path));
                }
            } catch (SMBRuntimeException e) {
                throw failure(e, Step.TOKEN, location.describe(path));
            }
            return null;
        });
    }

    /**
     * Deletes this job's temp files for the target that killed attempts left. A live writer's temp file is open without
     * delete sharing, so the server refuses to delete it (sharing violation) while that writer lives, here or on another
     * machine; it is left alone. A dead writer's handle went with its connection.
     */
    @Override
    public void removeLeftovers(TargetFile target) throws CopyException {
        SmbLocation location = location(target);
        String folder = location.pathInShare(target.folder());
        sessions.onShare(location, share -> {
            checkFolderAndRemoveLeftovers(share, location, folder, target);
            return null;
        });
    }

    /**
     * Opens the target folder as itself (a link or junction is not followed but refused), then lists and deletes the
     * leftovers through that handle: open, list, close.
     */
    private static void checkFolderAndRemoveLeftovers(DiskShare share, SmbLocation location, String folderPath,
            TargetFile target) throws CopyException {
        OpenAhead folder = OpenAhead.send(share, folderPath, LIST_ACCESS, true);
        try {
            checkFolder(folder, share, location, folderPath);
            removeListedLeftovers(folder, folder.listAhead(target.leftoverPattern()), share, location, folderPath, target,
                    null);
        } finally {
            // Open with every sharing, it stands in no one's way: the next request need not wait for the CLOSE.
            folder.closeNoWait();
        }
    }

    /** Waits for the folder's open: a missing folder is said as such, a link (but a share's root) refused. */
    private static void checkFolder(OpenAhead folder, DiskShare share, SmbLocation location, String folderPath)
            throws CopyException {
        try {
            folder.await();
        } catch (SMBRuntimeException e) {
            throw folderFailure(e, share, location, folderPath);
        }
        if (!folderPath.isEmpty() && folder.isLink()) {
            throw linkedFolder(location, folderPath);
        }
    }

    /**
     * Deletes this job's temp files for the target that the listing found, but the one this attempt just made.
     *
     * @param ownTemp the name of this attempt's temp file, or null
     */
    private static void removeListedLeftovers(OpenAhead folder, SentAhead<SMB2QueryDirectoryResponse> listing,
            DiskShare share, SmbLocation location, String folderPath, TargetFile target, String ownTemp)
            throws CopyException {
        try {
            List<FileIdBothDirectoryInformation> entries;
            try {
                entries = folder.entries(listing, target.leftoverPattern());
            } catch (SMBApiException e) {
                entries = List.of(); // a folder the server will not list: nothing is removed, the copy goes on
            }
            for (FileIdBothDirectoryInformation entry : entries) {
                String name = entry.getFileName();
                if (!target.isLeftover(name) || name.equals(ownTemp) || (entry.getFileAttributes() & DIRECTORY) != 0) {
                    continue;
                }
                try {
                    deleteAsIs(share, location.pathInShare(target.folder(), name));
                } catch (SMBApiException e) {
                    // a live writer's (sharing violation) or not ours to delete: left for a later attempt
                }
            }
        } catch (SMBRuntimeException e) {
            throw folderFailure(e, share, location, folderPath);
        }
    }

    /** Deletes the name itself: a link is removed, never what it names (smbj's rm would let the server follow it). */
    private static void deleteAsIs(DiskShare share, String path) {
        try (File file = share.openFile(path, EnumSet.of(AccessMask.DELETE), NORMAL, SMB2ShareAccess.ALL,
                SMB2CreateDisposition.FILE_OPEN, A_FILE_AS_IS)) {
            file.deleteOnClose();
        }
    }

    private static void refuseIfLink(File file, String what) throws CopyFailure {
        refuseIfLink(AttributesAhead.ask(file), what);
    }

    private static void refuseIfLink(AttributesAhead attributes, String what) throws CopyFailure {
        refuseIfLink(attributes.isLink(), what);
    }

    private static void refuseIfLink(boolean link, String what) throws CopyFailure {
        if (link) {
            throw new CopyFailure(what + " is a link (reparse point); capsync follows no links at a CAP and does not replace them");
        }
    }

    /**
     * The size and SHA-256 of the file's first {@code limit} bytes, unless it is a link. Its attributes are asked for
     * first without waiting, so their answer comes back in the first READ's round trip; a link is said as such whatever
     * its READs met, and nothing read from it is used.
     */
    private static FileDigest digestUnlessLink(File file, long limit, String what) throws CopyFailure, IOException {
        AttributesAhead attributes = AttributesAhead.ask(file);
        FileDigest digest;
        try {
            digest = FileDigest.of(new ReadStream(file, limit));
        } catch (SMBRuntimeException | IOException e) {
            refuseIfLink(attributes, what);
            throw e;
        }
        refuseIfLink(attributes, what);
        return digest;
    }

    /** Each folder below the share's root, down to the target folder, must be a folder and no link. */
    private static void refuseIfLinkedFolder(DiskShare share, SmbLocation location, String folderPath) throws CopyException {
        if (folderPath.isEmpty()) {
            return;
        }
        try (com.hierynomus.smbj.share.Directory folder = share.openDirectory(folderPath,
                EnumSet.of(AccessMask.FILE_READ_ATTRIBUTES), NORMAL, SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN,
                A_FOLDER_AS_IS)) {
            refuseIfLinkedFolder(AttributesAhead.ask(folder), location, folderPath);
        } catch (SMBRuntimeException e) {
            throw folderFailure(e, share, location, folderPath);
        }
    }

    /** @param attributes the folder's, or null for a share's root, which is no link of capsync's concern */
    private static void refuseIfLinkedFolder(AttributesAhead attributes, SmbLocation location, String folderPath)
            throws CopyFailure {
        if (attributes != null && attributes.isLink()) {
            throw linkedFolder(location, folderPath);
        }
    }

    /** A server that stops at a link on the way to a name (Windows) says so; capsync does not go on through it. */
    private static CopyFailure linkOnPath(SmbLocation location, String path) {
        return new CopyFailure("a folder on the way to " + location.describe(path)
                + " is a link (reparse point); capsync follows no links below a CAP path");
    }

    private static CopyFailure linkedFolder(SmbLocation location, String folderPath) {
        return new CopyFailure("target folder " + location.describe(folderPath)
                + " is a link (reparse point); capsync follows no links below a CAP path");
    }

    /** What a failure to open or list the target folder means: a missing folder said as such, else a failure. */
    private static CopyException folderFailure(SMBRuntimeException e, DiskShare share, SmbLocation location,
            String folderPath) {
        long status = statusOf(e);
        if (status == SmbSharingViolations.STATUS_OBJECT_PATH_NOT_FOUND || status == STATUS_NOT_A_DIRECTORY
                || status == SmbSharingViolations.STATUS_OBJECT_NAME_NOT_FOUND) {
            return missingFolder(share, location, folderPath);
        }
        if (status == STATUS_STOPPED_ON_SYMLINK) {
            return linkOnPath(location, folderPath);
        }
        return failure(e, Step.WRITE_TEMP, location.describe(folderPath));
    }

    /**
     * Says what stands where a folder was expected: walks the path from the share's root and names the first part
     * that is missing or a file. Only on the failure path, so the extra round trips cost nothing otherwise.
     */
    private static CopyFailure missingFolder(DiskShare share, SmbLocation location, String folderPath) {
        String[] parts = folderPath.split("\\\\");
        StringBuilder path = new StringBuilder();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (!path.isEmpty()) {
                path.append('\\');
            }
            path.append(part);
            boolean inCapPath = path.length() <= location.folder().length();
            String where = location.describe(path.toString());
            try {
                long attributes = share.getFileInformation(path.toString(), FileBasicInformation.class).getFileAttributes();
                if ((attributes & DIRECTORY) == 0) {
                    return new CopyFailure((inCapPath ? "CAP path " : "target folder ") + where + " is a file, not a folder");
                }
            } catch (SMBRuntimeException e) {
                if (SmbSessions.lostOrNull(e) != null) {
                    throw SmbSessions.lostOrNull(e);
                }
                return new CopyFailure((inCapPath ? "CAP folder " : "target folder ") + where + " not found");
            }
        }
        return new CopyFailure("target folder " + location.describe(folderPath) + " not found");
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
            // A later attempt's removeLeftovers takes it.
        }
    }

    /**
     * Removes a temp file made ahead that is not needed after all, once its creation has ended; a failure to make it
     * is no matter.
     */
    private static void removeQuietly(Future<File> madeAhead) {
        File temp;
        try {
            temp = await(madeAhead);
        } catch (CopyException | RuntimeException e) {
            return;
        }
        removeQuietly(temp);
        closeQuietly(temp);
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

        /** One READ of up to {@code length} bytes at {@code position}: their count, -1 at the end of the file. */
        interface Reads {
            int read(byte[] into, long position, int length);
        }

        private final Reads reads;
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
            this(file.getDiskShare().getTreeConnect(), (into, position, length) -> file.read(into, position, 0, length),
                    limit);
        }

        ReadStream(TreeConnect tree, Reads reads, long limit) {
            this.reads = reads;
            this.limit = limit;
            // What smbj sends at most per READ (it cuts longer requests down to this, which is no end of file).
            int maxRead = Math.min(tree.getConfig().getReadBufferSize(), tree.getNegotiatedProtocol().getMaxReadSize());
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
            int n = reads.read(chunk, position, ask);
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

    /**
     * Sends the CLOSE without waiting for its answer (a round trip less), where nothing later on this connection needs
     * the handle gone first.
     */
    private static void closeNoWait(DiskEntry entry) {
        try {
            entry.closeNoWait();
        } catch (RuntimeException e) {
            // connection gone: the server closes the handle itself
        }
    }
}
