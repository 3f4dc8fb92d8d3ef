package org.capsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that delivers every byte a fixed time after it arrived, in each direction: a WAN link's
 * latency without its bandwidth limit (this machine has no netem). Reading and writing are separate threads, so data
 * in flight is pipelined as on a real link rather than serialised behind each delay.
 *
 * <p>It also counts the SMB messages it carries, from their direct-TCP framing (a 4-byte length before each): every
 * message from the client is a request its sender waits for an answer to, so the count of requests is the count of
 * request/response turns, exactly, whatever the timing (a compounded request is one message, one turn).
 */
final class DelayingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long delayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();

    private record Packet(long dueNanos, byte[] bytes) {
    }

    private static final Packet END = new Packet(0, new byte[0]);

    DelayingProxy(InetSocketAddress upstream, long delayMillis) {
        this.upstream = upstream;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("proxy-accept", this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** SMB messages from clients to the server so far, over every connection. */
    long requests() {
        return requests.get();
    }

    /** SMB messages from the server to clients so far (interim answers included). */
    long responses() {
        return responses.get();
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
                pipe(client, target, requests);
                pipe(target, client, responses);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("delaying proxy: " + e);
                }
            }
        }
    }

    /** One direction: a reader stamps each chunk with its due time, a writer hands it on when it is due. */
    private void pipe(Socket from, Socket to, AtomicLong messages) {
        BlockingQueue<Packet> queue = new LinkedBlockingQueue<>();
        daemon("proxy-read", () -> {
            byte[] buffer = new byte[64 * 1024];
            Framing framing = new Framing(messages);
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

    /** Finds the messages in one direction's bytes, however TCP cut them: a 4-byte big-endian length, then the message. */
    private static final class Framing {
        private final AtomicLong messages;
        private long remaining;
        private int headerBytes;
        private long length;

        Framing(AtomicLong messages) {
            this.messages = messages;
        }

        void count(byte[] bytes, int n) {
            int i = 0;
            while (i < n) {
                if (remaining > 0) {
                    int take = (int) Math.min(remaining, n - i);
                    remaining -= take;
                    i += take;
                    continue;
                }
                length = (length << 8) | (bytes[i++] & 0xFF);
                if (++headerBytes == 4) {
                    // The first byte is the NetBIOS message type (0 for a session message) in SMB's direct TCP.
                    remaining = length & 0xFF_FFFFL;
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
