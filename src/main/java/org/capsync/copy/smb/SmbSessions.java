package org.capsync.copy.smb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.SocketFactory;

import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.Share;
import org.capsync.copy.CopyException;
import org.capsync.copy.CopyFailure;
import org.capsync.definition.SmbLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMB connection and session per server ({@code host:port}) for the whole run, shared by every CAP on that server
 * and by all of the job's threads (smbj multiplexes requests on a session). A dropped session is re-established once
 * per failing operation, never more; a server that cannot be reached is remembered for a short while so the CAPs behind
 * it fail fast, and a refused logon is remembered for the whole run so capsync never locks the account out by retrying
 * a wrong password on every CAP. Close it to log off.
 */
public final class SmbSessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("capsync.smb");

    /** How long a failed connect is remembered: CAPs behind a dead server fail fast instead of each waiting a timeout. */
    static final Duration REMEMBER_UNREACHABLE = Duration.ofSeconds(30);

    private final SmbCredentials credentials;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    /** Made for the first SMB CAP: a job of local CAPs does not load the SMB client at all. */
    private SMBClient client;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    public SmbSessions(SmbCredentials credentials) {
        this(credentials, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /**
     * @param connectTimeout how long to wait for a server to accept the TCP connection
     * @param requestTimeout how long to wait for any one answer of an established session
     */
    public SmbSessions(SmbCredentials credentials, Duration connectTimeout, Duration requestTimeout) {
        this.credentials = credentials;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    private synchronized SMBClient client() {
        if (client == null) {
            client = new SMBClient(SmbConfig.builder()
                    .withTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .withSocketFactory(new SmbSocketFactory((int) connectTimeout.toMillis()))
                    .withDfsEnabled(false)
                    .build());
        }
        return client;
    }

    /** Work done on one share; SMB failures it does not classify itself propagate as smbj's runtime exceptions. */
    @FunctionalInterface
    public interface ShareWork<T> {
        T run(DiskShare share) throws CopyException;
    }

    /**
     * Runs {@code work} on the location's share over the server's session. When the server dropped the connection or
     * forgot the session, reconnects once and runs it again; a second loss is a {@link CopyFailure}.
     */
    public <T> T onShare(SmbLocation location, ShareWork<T> work) throws CopyException {
        Server server = servers.computeIfAbsent(location.server(), name -> new Server(location.host(), location.port(), name));
        ServerSession session = server.session().announced();
        try {
            return work.run(session.share(location));
        } catch (SessionLost lost) {
            server.drop(session);
            log.info("smb: connection to {} lost ({}), reconnecting once", server.name, lost.getMessage());
            ServerSession again = server.session().announced();
            try {
                return work.run(again.share(location));
            } catch (SessionLost lostAgain) {
                server.drop(again);
                throw new CopyFailure("connection to " + server.name + " lost, and again after one reconnect: " + lostAgain.getMessage());
            }
        }
    }

    /**
     * Opens, on a daemon thread, the sessions and share connections the first CAPs of a run will need, so that they
     * are ready when the copying starts instead of costing its first attempts (a session is several round trips and,
     * in a fresh JVM, a few hundred milliseconds of loading smbj). Servers are taken in the order given, each once. A
     * failure is not reported here: it is remembered as when a CAP meets it (an unreachable server for a short while, a
     * refused logon for the run), and the CAP's attempt reports it. A CAP whose server is still connecting waits for
     * that connection rather than opening a second one.
     *
     * @return these sessions
     */
    public SmbSessions connectAhead(List<SmbLocation> shares) {
        if (shares.isEmpty()) {
            return this;
        }
        Thread thread = new Thread(() -> {
            Set<String> seen = new HashSet<>();
            for (SmbLocation location : shares) {
                if (closed.get()) {
                    return;
                }
                if (!seen.add(location.server() + "/" + location.share())) {
                    continue;
                }
                try {
                    Server server = servers.computeIfAbsent(location.server(), name -> new Server(location.host(), location.port(), name));
                    server.session().share(location);
                } catch (CopyException | RuntimeException e) {
                    log.debug("smb: connecting ahead to {}: {}", location.describeShare(), e.getMessage());
                }
            }
        }, "capsync-smb-ahead");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Turns an smbj failure that is not an answer about a file (connection gone, session forgotten) into {@link SessionLost}. */
    static SessionLost lostOrNull(SMBRuntimeException e) {
        if (e instanceof SMBApiException api) {
            return SmbSharingViolations.isSessionLost(api.getStatusCode())
                    ? new SessionLost(SmbSharingViolations.name(api.getStatusCode()), e) : null;
        }
        return new SessionLost(rootMessage(e), e);
    }

    /** How many sessions were established so far (one per server, plus reconnects). */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    public SmbCredentials credentials() {
        return credentials;
    }

    /** Logs off every session; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Server server : servers.values()) {
            server.close();
        }
        synchronized (this) {
            if (client != null) {
                client.close();
            }
        }
    }

    private final class Server {
        final String host;
        final int port;
        final String name;
        private ServerSession current;
        private long unreachableUntilNanos;
        private String unreachable;
        private String logonRefused;

        Server(String host, int port, String name) {
            this.host = host;
            this.port = port;
            this.name = name;
        }

        synchronized ServerSession session() throws CopyFailure {
            if (current != null && current.connection.isConnected()) {
                return current;
            }
            if (closed.get()) {
                throw new CopyFailure("the run's SMB sessions are closed");
            }
            if (logonRefused != null) {
                throw new CopyFailure(logonRefused);
            }
            if (unreachable != null && System.nanoTime() - unreachableUntilNanos < 0) {
                throw new CopyFailure(unreachable);
            }
            Connection connection;
            try {
                connection = client().connect(host, port);
            } catch (IOException | SMBRuntimeException e) {
                unreachable = "cannot connect to " + name + ": " + rootMessage(e);
                unreachableUntilNanos = System.nanoTime() + REMEMBER_UNREACHABLE.toNanos();
                throw new CopyFailure(unreachable);
            }
            Session session;
            try {
                session = connection.authenticate(credentials.authentication());
            } catch (SMBApiException e) {
                closeQuietly(connection);
                // Never tried again in this run: one wrong password on a thousand CAPs would lock the account out.
                logonRefused = "logon to " + name + " as " + credentials.account() + " refused ("
                        + SmbSharingViolations.name(e.getStatusCode()) + "; credentials from " + credentials.source() + ")";
                throw new CopyFailure(logonRefused);
            } catch (SMBRuntimeException e) {
                closeQuietly(connection);
                throw new CopyFailure("cannot log on to " + name + " as " + credentials.account() + ": " + rootMessage(e));
            }
            int n = sessionsOpened.incrementAndGet();
            current = new ServerSession(connection, session, name,
                    "smb: session to " + name + " as " + credentials.account() + " opened (" + n + " so far)");
            unreachable = null;
            return current;
        }

        /** Forgets a session that failed, unless another thread already replaced it. */
        synchronized void drop(ServerSession failed) {
            if (current == failed) {
                current = null;
                failed.close();
            }
        }

        synchronized void close() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    /** A logged-on session and the shares connected on it, each tree-connected once. */
    private static final class ServerSession {
        final Connection connection;
        final Session session;
        final String server;
        private final Map<String, DiskShare> shares = new ConcurrentHashMap<>();
        private final AtomicReference<String> opened;

        ServerSession(Connection connection, Session session, String server, String opened) {
            this.connection = connection;
            this.session = session;
            this.server = server;
            this.opened = new AtomicReference<>(opened);
        }

        /**
         * Logs that the session was opened, once, when a CAP first uses it: a session opened ahead is opened before
         * the run's log is set up, and its line would be lost.
         */
        ServerSession announced() {
            String line = opened.getAndSet(null);
            if (line != null) {
                log.info(line);
            }
            return this;
        }

        DiskShare share(SmbLocation location) throws CopyFailure {
            DiskShare share = shares.get(location.share());
            if (share != null && share.isConnected()) {
                return share;
            }
            synchronized (this) {
                share = shares.get(location.share());
                if (share != null && share.isConnected()) {
                    return share;
                }
                Share connected;
                try {
                    connected = session.connectShare(location.share());
                } catch (SMBRuntimeException e) {
                    SessionLost lost = lostOrNull(e);
                    if (lost != null) {
                        throw lost;
                    }
                    long status = ((SMBApiException) e).getStatusCode();
                    String code = SmbSharingViolations.name(status);
                    if (status == SmbSharingViolations.STATUS_BAD_NETWORK_NAME) {
                        throw new CopyFailure("share '" + location.share() + "' not found on " + server + " (" + code + ")");
                    }
                    if (status == SmbSharingViolations.STATUS_ACCESS_DENIED) {
                        throw new CopyFailure("access to share " + location.describeShare() + " denied (" + code + ")");
                    }
                    throw new CopyFailure("cannot connect to share " + location.describeShare() + " (" + code + ")");
                }
                if (!(connected instanceof DiskShare disk)) {
                    throw new CopyFailure(location.describeShare() + " is not a disk share");
                }
                shares.put(location.share(), disk);
                return disk;
            }
        }

        void close() {
            try {
                session.close();
            } catch (IOException | RuntimeException e) {
                // the server may be gone already
            }
            closeQuietly(connection);
        }
    }

    /** The session is unusable: the connection dropped or the server forgot the session or tree connect. */
    static final class SessionLost extends RuntimeException {
        SessionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(true);
        } catch (IOException | RuntimeException e) {
            // nothing more to do with a broken connection
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    /**
     * smbj connects with the platform's default timeout (minutes for a host that drops packets): bound it. And it leaves
     * Nagle's algorithm on, which holds back a thread's small request while another thread's is unacknowledged on the
     * shared connection, until the server's delayed ACK (up to 40 ms): SMB clients turn it off.
     */
    static final class SmbSocketFactory extends SocketFactory {
        private final int timeoutMillis;

        SmbSocketFactory(int timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public Socket createSocket() {
            return new Socket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connect(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connect(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connect(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return connect(new InetSocketAddress(address, port));
        }

        private Socket connect(InetSocketAddress address) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(address, timeoutMillis);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
    }
}
