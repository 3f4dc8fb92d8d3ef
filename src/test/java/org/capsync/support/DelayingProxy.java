package org.capsync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A TCP proxy on 127.0.0.1 that delivers every byte a fixed time after it arrived, in each direction: a WAN link's
 * latency without its bandwidth limit (this machine has no netem). Reading and writing are separate threads, so data
 * in flight is pipelined as on a real link rather than serialised behind each delay.
 *
 * <p>It also counts the SMB messages it carries, from their direct-TCP framing (a 4-byte length before each): every
 * message from the client is a request its sender waits for an answer to, so the count of requests is the count of
 * request/response exchanges, exactly, whatever the timing (a compounded request is one message). It also counts the
 * round trips a client waited for: a request that finds no earlier request of its connection still unanswered starts
 * one, while one sent behind an unanswered request (a CLOSE whose answer the client does not wait for, then the next
 * request) rides in the same round trip. That count is exact for one thread per connection.
 */
public final class DelayingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long delayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong turns = new AtomicLong();

    private record Packet(long dueNanos, byte[] bytes) {
    }

    private static final Packet END = new Packet(0, new byte[0]);

    public DelayingProxy(InetSocketAddress upstream, long delayMillis) {
        this.upstream = upstream;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("proxy-accept", this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** SMB messages from clients to the server so far, over every connection. */
    public long requests() {
        return requests.get();
    }

    /** SMB messages from the server to clients so far (interim answers included). */
    public long responses() {
        return responses.get();
    }

    /** Round trips clients waited for so far: requests sent while their connection had none unanswered. */
    public long turns() {
        return turns.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(upstream, 5000);
                for (Socket s : List.of(client, target)) {
                    s.setTcpNoDelay(true);
                    sockets.add(s);
                }
                // Requests of this connection not answered yet, as the proxy sees them arrive.
                AtomicLong unanswered = new AtomicLong();
                pipe(client, target, new Framing(requests, head -> {
                    if (unanswered.getAndIncrement() == 0) {
                        turns.incrementAndGet();
                    }
                }));
                pipe(target, client, new Framing(responses, head -> {
                    if (answersARequest(head)) {
                        unanswered.updateAndGet(n -> Math.max(0, n - 1));
                    }
                }));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("delaying proxy: " + e);
                }
            }
        }
    }

    /** One direction: a reader stamps each chunk with its due time, a writer hands it on when it is due. */
    private void pipe(Socket from, Socket to, Framing framing) {
        BlockingQueue<Packet> queue = new LinkedBlockingQueue<>();
        daemon("proxy-read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    framing.count(buffer, n);
                    queue.add(new Packet(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException closed) {
                // the other side went away: pass the end on
            }
            queue.add(END);
        });
        daemon("proxy-write", () -> {
            try {
                OutputStream out = to.getOutputStream();
                for (Packet p = queue.take(); p != END; p = queue.take()) {
                    long wait = p.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write(p.bytes());
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException closed) {
                // the proxy or the connection was closed
            }
        });
    }

    /**
     * Whether an answer from the server (the first {@link Framing#HEAD} bytes of its SMB2 header) answers a request:
     * not an interim answer (STATUS_PENDING with the async flag; the final one follows), not an oplock break the server
     * sends on its own (message id all ones).
     */
    private static boolean answersARequest(byte[] head) {
        ByteBuffer header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (header.getInt(0) != 0x424D53FE) { // "\xFESMB": not SMB2 (an SMB1 negotiate answer), still an answer
            return true;
        }
        boolean interim = header.getInt(8) == 0x00000103 && (header.getInt(16) & 0x2) != 0;
        return !interim && header.getLong(24) != -1L;
    }

    /**
     * Finds the messages in one direction's bytes, however TCP cut them: a 4-byte big-endian length, then the message,
     * whose first bytes go to a listener.
     */
    private static final class Framing {
        static final int HEAD = 32;
        private final AtomicLong messages;
        private final Consumer<byte[]> listener;
        private final byte[] head = new byte[HEAD];
        private int headBytes;
        private long remaining;
        private int headerBytes;
        private long length;

        Framing(AtomicLong messages, Consumer<byte[]> listener) {
            this.messages = messages;
            this.listener = listener;
        }

        void count(byte[] bytes, int n) {
            int i = 0;
            while (i < n) {
                if (remaining > 0) {
                    int take = (int) Math.min(remaining, n - i);
                    int toHead = Math.min(take, HEAD - headBytes);
                    if (toHead > 0) {
                        System.arraycopy(bytes, i, head, headBytes, toHead);
                        headBytes += toHead;
                        if (headBytes == HEAD) {
                            listener.accept(head.clone());
                        }
                    }
                    remaining -= take;
                    i += take;
                    continue;
                }
                length = (length << 8) | (bytes[i++] & 0xFF);
                if (++headerBytes == 4) {
                    // The first byte is the NetBIOS message type (0 for a session message) in SMB's direct TCP.
                    remaining = length & 0xFF_FFFFL;
                    headBytes = 0;
                    headerBytes = 0;
                    length = 0;
                    messages.incrementAndGet();
                }
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
