package org.capsync.copy.smb;

import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.FileInformationClass;
import com.hierynomus.msfscc.fileinformation.FileBasicInformation;
import com.hierynomus.msfscc.fileinformation.FileInformationFactory;
import com.hierynomus.mssmb2.SMB2PacketHeader;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.mssmb2.messages.SMB2QueryInfoRequest;
import com.hierynomus.mssmb2.messages.SMB2QueryInfoResponse;
import com.hierynomus.protocol.commons.buffer.Buffer;
import com.hierynomus.protocol.commons.buffer.Endian;
import com.hierynomus.protocol.commons.concurrent.Futures;
import com.hierynomus.protocol.transport.TransportException;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskEntry;
import com.hierynomus.smbj.share.TreeConnect;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * An open's attributes, asked for without waiting for the answer: the QUERY_INFO goes out just before the next request
 * on the connection (a READ, a directory listing) and its answer comes back in that request's round trip instead of
 * costing one of its own. smbj only sends it and waits ({@code DiskEntry.getFileInformation}), so it is built here from
 * smbj's public message classes, exactly as smbj builds it, and answered as smbj answers it: a status other than success
 * is an {@link SMBApiException}, a connection gone an {@link SMBRuntimeException}.
 */
final class AttributesAhead {

    private static final long REPARSE_POINT = FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT.getValue();

    private final Future<SMB2QueryInfoResponse> answer;
    private final long timeoutMillis;
    private final DiskEntry entry;

    private AttributesAhead(Future<SMB2QueryInfoResponse> answer, long timeoutMillis, DiskEntry entry) {
        this.answer = answer;
        this.timeoutMillis = timeoutMillis;
        this.entry = entry;
    }

    /** Sends the QUERY_INFO for the entry's basic information (its attributes), and returns at once. */
    static AttributesAhead ask(DiskEntry entry) {
        TreeConnect tree = entry.getDiskShare().getTreeConnect();
        Session session = tree.getSession();
        SMB2QueryInfoRequest request = new SMB2QueryInfoRequest(tree.getNegotiatedProtocol().getDialect(),
                session.getSessionId(), tree.getTreeId(), entry.getFileId(),
                SMB2QueryInfoRequest.SMB2QueryInfoType.SMB2_0_INFO_FILE, FileInformationClass.FileBasicInformation, null,
                null, null);
        try {
            return new AttributesAhead(session.send(request), tree.getConfig().getTransactTimeout(), entry);
        } catch (TransportException e) {
            throw new SMBRuntimeException(e);
        }
    }

    /** Whether the entry is a link (reparse point), once the answer is in. */
    boolean isLink() {
        return (attributes() & REPARSE_POINT) != 0;
    }

    /** The entry's attributes (FILE_ATTRIBUTE_* bits), once the answer is in. */
    long attributes() {
        SMB2QueryInfoResponse response;
        try {
            response = Futures.get(answer, timeoutMillis, TimeUnit.MILLISECONDS, TransportException.Wrapper);
        } catch (TransportException e) {
            throw new SMBRuntimeException(e);
        }
        SMB2PacketHeader header = response.getHeader();
        if (header.getStatusCode() != NtStatus.STATUS_SUCCESS.getValue()) {
            throw new SMBApiException(header, "QueryInfo failed for " + entry.getFileId());
        }
        try {
            return FileInformationFactory.getDecoder(FileBasicInformation.class)
                    .read(new Buffer.PlainBuffer(response.getOutputBuffer(), Endian.LE)).getFileAttributes();
        } catch (Buffer.BufferException e) {
            throw new SMBRuntimeException(e);
        }
    }
}
