package org.capsync.copy.smb;

import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.FileInformationClass;
import com.hierynomus.msfscc.fileinformation.FileBasicInformation;
import com.hierynomus.msfscc.fileinformation.FileInformationFactory;
import com.hierynomus.mssmb2.messages.SMB2QueryInfoRequest;
import com.hierynomus.mssmb2.messages.SMB2QueryInfoResponse;
import com.hierynomus.protocol.commons.buffer.Buffer;
import com.hierynomus.protocol.commons.buffer.Endian;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.DiskEntry;
import com.hierynomus.smbj.share.TreeConnect;

/**
 * An open's attributes, asked for without waiting for the answer ({@link SentAhead}): the QUERY_INFO goes out just
 * before the next request on the connection (a READ, a directory listing) and its answer comes back in that request's
 * round trip. Never followed by the open's CLOSE before the answer is in: requests that are not compounded may be
 * served in any order. smbj only asks and waits ({@code DiskEntry.getFileInformation}).
 */
final class AttributesAhead {

    private static final long REPARSE_POINT = FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT.getValue();

    private final SentAhead<SMB2QueryInfoResponse> query;

    private AttributesAhead(SentAhead<SMB2QueryInfoResponse> query) {
        this.query = query;
    }

    /** Sends the QUERY_INFO for the entry's basic information (its attributes), and returns at once. */
    static AttributesAhead ask(DiskEntry entry) {
        TreeConnect tree = entry.getDiskShare().getTreeConnect();
        SMB2QueryInfoRequest request = new SMB2QueryInfoRequest(tree.getNegotiatedProtocol().getDialect(),
                tree.getSession().getSessionId(), tree.getTreeId(), entry.getFileId(),
                SMB2QueryInfoRequest.SMB2QueryInfoType.SMB2_0_INFO_FILE, FileInformationClass.FileBasicInformation, null,
                null, null);
        return new AttributesAhead(SentAhead.send(tree, request, "QueryInfo for " + entry.getFileId()));
    }

    /** Whether the entry is a link (reparse point), once the answer is in. */
    boolean isLink() {
        return (attributes() & REPARSE_POINT) != 0;
    }

    /** The entry's attributes (FILE_ATTRIBUTE_* bits), once the answer is in. */
    long attributes() {
        try {
            return FileInformationFactory.getDecoder(FileBasicInformation.class)
                    .read(new Buffer.PlainBuffer(query.answer().getOutputBuffer(), Endian.LE)).getFileAttributes();
        } catch (Buffer.BufferException e) {
            throw new SMBRuntimeException(e);
        }
    }
}
