package org.capsync.copy.smb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.msdtyp.FileTime;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.FileInformationClass;
import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import com.hierynomus.msfscc.fileinformation.FileInformation;
import com.hierynomus.msfscc.fileinformation.FileInformationFactory;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2CreateOptions;
import com.hierynomus.mssmb2.SMB2FileId;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.messages.SMB2Close;
import com.hierynomus.mssmb2.messages.SMB2CreateRequest;
import com.hierynomus.mssmb2.messages.SMB2CreateResponse;
import com.hierynomus.mssmb2.messages.SMB2QueryDirectoryRequest;
import com.hierynomus.mssmb2.messages.SMB2QueryDirectoryRequest.SMB2QueryDirectoryFlags;
import com.hierynomus.mssmb2.messages.SMB2QueryDirectoryResponse;
import com.hierynomus.mssmb2.messages.SMB2ReadRequest;
import com.hierynomus.mssmb2.messages.SMB2ReadResponse;
import com.hierynomus.smbj.common.SmbPath;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.TreeConnect;

/**
 * An existing file or folder opened as itself (a link is opened, not followed) by a CREATE sent without waiting
 * ({@link SentAhead}), with every sharing allowed, and then read, listed and closed through its handle. smbj's
 * {@code openFile} keeps the CREATE's answer to itself; that answer carries the entry's attributes and last-write time,
 * so a link is refused, and a target that cannot hold the snapshot recognised, in the open's own round trip, with no
 * QUERY_INFO of its own. Two opens sent one after the other share their round trip.
 */
final class OpenAhead {

    private static final long REPARSE_POINT = FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT.getValue();
    private static final Set<FileAttributes> NORMAL = EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL);

    private final TreeConnect tree;
    private final String path;
    private final SentAhead<SMB2CreateResponse> create;
    private SMB2CreateResponse opened;
    private RuntimeException failed;
    private boolean closed;

    private OpenAhead(TreeConnect tree, String path, SentAhead<SMB2CreateResponse> create) {
        this.tree = tree;
        this.path = path;
        this.create = create;
    }

    /** Sends the CREATE of an existing file ({@code FILE_NON_DIRECTORY_FILE}) or folder, and returns at once. */
    static OpenAhead send(DiskShare share, String path, Set<AccessMask> access, boolean folder) {
        TreeConnect tree = share.getTreeConnect();
        Set<SMB2CreateOptions> options = EnumSet.of(folder ? SMB2CreateOptions.FILE_DIRECTORY_FILE
                : SMB2CreateOptions.FILE_NON_DIRECTORY_FILE, SMB2CreateOptions.FILE_OPEN_REPARSE_POINT);
        SMB2CreateRequest request = new SMB2CreateRequest(tree.getNegotiatedProtocol().getDialect(),
                tree.getSession().getSessionId(), tree.getTreeId(), null, access, NORMAL, SMB2ShareAccess.ALL,
                SMB2CreateDisposition.FILE_OPEN, options, new SmbPath(share.getSmbPath(), path));
        return new OpenAhead(tree, path, SentAhead.send(tree, request, "Create for " + path));
    }

    /**
     * Waits for the CREATE's answer: smbj's exceptions as its own {@code openFile} throws them, a status other than
     * success (a link the server stopped on among them: nothing is followed client-side) an {@code SMBApiException}.
     * A failure is kept and thrown again at once: a server that stopped answering costs one wait, not one per call.
     */
    void await() {
        if (opened != null) {
            return;
        }
        if (failed != null) {
            throw failed;
        }
        try {
            opened = create.answer();
        } catch (RuntimeException e) {
            failed = e;
            throw e;
        }
    }

    /** Whether the entry is a link (reparse point). */
    boolean isLink() {
        await();
        return (attributesOf(opened) & REPARSE_POINT) != 0;
    }

    /** The entry's last-write time, as the server answered the CREATE. */
    FileTime lastWriteTime() {
        await();
        return opened.getLastWriteTime();
    }

    private static long attributesOf(SMB2CreateResponse response) {
        long bits = 0;
        for (FileAttributes attribute : response.getFileAttributes()) {
            bits |= attribute.getValue();
        }
        return bits;
    }

    /**
     * Reads up to {@code length} bytes at {@code position} in one READ, as smbj's {@code File.read} does: -1 at the
     * end of the file, an error answer (a client's byte-range lock) an {@code SMBApiException}.
     */
    int read(byte[] into, long position, int length) {
        SMB2ReadRequest request = new SMB2ReadRequest(tree.getNegotiatedProtocol().getDialect(), fileId(),
                tree.getSession().getSessionId(), tree.getTreeId(), position, length);
        SMB2ReadResponse response = SentAhead.<SMB2ReadResponse>send(tree, request, "Read for " + path)
                .answer(NtStatus.STATUS_END_OF_FILE.getValue());
        if (response.getHeader().getStatusCode() == NtStatus.STATUS_END_OF_FILE.getValue()) {
            return -1;
        }
        byte[] data = response.getData();
        int n = Math.min(length, data.length);
        System.arraycopy(data, 0, into, 0, n);
        return n;
    }

    /**
     * Sends the first QUERY_DIRECTORY of the folder's entries that match the pattern (one full listing's worth of
     * names: a killed run's temp files are a handful at most), without waiting; {@link #entries} takes its answer.
     */
    SentAhead<SMB2QueryDirectoryResponse> listAhead(String pattern) {
        return listAhead(pattern, EnumSet.of(SMB2QueryDirectoryFlags.SMB2_RESTART_SCANS));
    }

    private SentAhead<SMB2QueryDirectoryResponse> listAhead(String pattern, Set<SMB2QueryDirectoryFlags> flags) {
        return SentAhead.send(tree, new SMB2QueryDirectoryRequest(tree.getNegotiatedProtocol().getDialect(),
                tree.getSession().getSessionId(), tree.getTreeId(), fileId(),
                FileInformationClass.FileIdBothDirectoryInformation, flags, 0, pattern,
                tree.getConfig().getTransactBufferSize()), "Query directory for " + path);
    }

    /**
     * The entries of a listing sent by {@link #listAhead}, and of the further QUERY_DIRECTORYs it takes, as smbj's
     * {@code Directory.list} reads them: no match and no more entries end it (as does an answer repeated, which some
     * servers send instead of the end).
     */
    List<FileIdBothDirectoryInformation> entries(SentAhead<SMB2QueryDirectoryResponse> first, String pattern) {
        FileInformation.Decoder<FileIdBothDirectoryInformation> decoder =
                FileInformationFactory.getDecoder(FileIdBothDirectoryInformation.class);
        List<FileIdBothDirectoryInformation> entries = new ArrayList<>();
        byte[] previous = null;
        SentAhead<SMB2QueryDirectoryResponse> query = first;
        while (true) {
            SMB2QueryDirectoryResponse response = query.answer(NtStatus.STATUS_NO_MORE_FILES.getValue(),
                    NtStatus.STATUS_NO_SUCH_FILE.getValue());
            byte[] buffer = response.getOutputBuffer();
            if (response.getHeader().getStatusCode() != NtStatus.STATUS_SUCCESS.getValue()
                    || Arrays.equals(previous, buffer)) {
                return entries;
            }
            for (Iterator<FileIdBothDirectoryInformation> it = FileInformationFactory.createFileInformationIterator(
                    buffer, decoder); it.hasNext(); ) {
                entries.add(it.next());
            }
            previous = buffer;
            query = listAhead(pattern, EnumSet.noneOf(SMB2QueryDirectoryFlags.class));
        }
    }

    /**
     * Sends the CLOSE without waiting for its answer, where nothing later on this connection needs the handle gone
     * first; once, however often called. An open whose CREATE failed has nothing to close.
     */
    void closeNoWait() {
        if (closed) {
            return;
        }
        closed = true;
        if (opened == null) {
            try {
                await();
            } catch (RuntimeException e) {
                return; // nothing was opened
            }
        }
        try {
            tree.getSession().send(new SMB2Close(tree.getNegotiatedProtocol().getDialect(),
                    tree.getSession().getSessionId(), tree.getTreeId(), opened.getFileId()));
        } catch (Exception e) {
            // connection gone: the server closes the handle itself
        }
    }

    TreeConnect tree() {
        return tree;
    }

    private SMB2FileId fileId() {
        await();
        return opened.getFileId();
    }
}
