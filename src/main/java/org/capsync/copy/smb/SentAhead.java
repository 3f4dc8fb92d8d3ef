package org.capsync.copy.smb;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import com.hierynomus.mserref.NtStatus;
import com.hierynomus.mssmb2.SMB2Packet;
import com.hierynomus.mssmb2.SMB2PacketHeader;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.protocol.commons.concurrent.Futures;
import com.hierynomus.protocol.transport.TransportException;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.TreeConnect;

/**
 * A request sent without waiting for its answer: it goes out just before the next request on the connection, and its
 * answer comes back in that request's round trip instead of costing one of its own. smbj mostly sends and waits in one
 * call, so the request is built from smbj's public message classes, exactly as smbj builds it, and its answer is taken
 * as smbj takes one: a status other than success is an {@link SMBApiException}, a connection gone an
 * {@link SMBRuntimeException}, and a timeout of zero or less waits as long as it takes.
 *
 * @param <R> the answer's message class
 */
final class SentAhead<R extends SMB2Packet> {

    private final Future<R> answer;
    private final long timeoutMillis;
    private final String what;

    private SentAhead(Future<R> answer, long timeoutMillis, String what) {
        this.answer = answer;
        this.timeoutMillis = timeoutMillis;
        this.what = what;
    }

    /**
     * Sends the request on the tree's session and returns at once.
     *
     * @param what the request and its object, as an error names them ("SetInfo for …")
     */
    static <R extends SMB2Packet> SentAhead<R> send(TreeConnect tree, SMB2Packet request, String what) {
        try {
            return new SentAhead<>(tree.getSession().<R>send(request), tree.getConfig().getTransactTimeout(), what);
        } catch (TransportException e) {
            throw new SMBRuntimeException(e);
        }
    }

    /**
     * The server's answer once it is in, a success or one of the statuses given: a READ at the end of the file, a
     * listing that found nothing, which smbj too takes as answers rather than failures.
     */
    R answer(long... alsoAnswered) {
        R response;
        try {
            response = timeoutMillis > 0
                    ? Futures.get(answer, timeoutMillis, TimeUnit.MILLISECONDS, TransportException.Wrapper)
                    : Futures.get(answer, TransportException.Wrapper);
        } catch (TransportException e) {
            throw new SMBRuntimeException(e);
        }
        SMB2PacketHeader header = response.getHeader();
        long status = header.getStatusCode();
        if (status == NtStatus.STATUS_SUCCESS.getValue() || LongStream.of(alsoAnswered).anyMatch(s -> s == status)) {
            return response;
        }
        throw new SMBApiException(header, what + " failed");
    }
}
