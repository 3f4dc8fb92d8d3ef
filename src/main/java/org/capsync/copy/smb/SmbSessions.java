package org.capsync.copy.smb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.SocketFactory;

import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.mssmb2.messages.SMB2Logoff;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
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
 * A small pool of SMB connections per server ({@code host:port}) for the whole run, each with one session logged on
 * once, shared by the job's threads (smbj multiplexes requests on a session). Several connections, because one is
 * served by one server process and one smbj reader thread. Each CAP is served by one connection of the pool, dealt
 * round-robin when first used. A dropped session is re-established once per failing
 * operation, never more; a server that cannot be reached is remembered for a short while so the CAPs behind it fail
 * fast, and a refused logon is never tried again in the run (a wrong password on every CAP would lock the account
 * out): when another connection of the pool is logged on, its shares move to that one, otherwise the server's CAPs
 * fail with the refusal. Close it to log off.
 */
public final class SmbSessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("capsync.smb");

    /** How long a failed connect is remembered: CAPs behind a dead server fail fast instead of each waiting a timeout. */
    static final Duration REMEMBER_UNREACHABLE = Duration.ofSeconds(30);

    private final SmbCredentials credentials;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int connectionsPerServer;
    /**
     * One client per place in the pool (smbj's client hands out one connection per {@code host:port}); made for the
     * first SMB CAP: a job of local CAPs does not load the SMB client at all.
     */
    private final List<SMBClient> clients;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final AtomicInteger sharesConnected = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    public SmbSessions(SmbCredentials credentials) {
        this(credentials, 1);
    }

    /** @param connectionsPerServer at most this many connections (and sessions) per server */
    public SmbSessions(SmbCredentials credentials, int connectionsPerServer) {
        this(credentials, connectionsPerServer, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /**
     * @param connectTimeout how long to wait for a server to accept the TCP connection
     * @param requestTimeout how long to wait for any one answer of an established session
     */
    public SmbSessions(SmbCredentials credentials, int connectionsPerServer, Duration connectTimeout, Duration requestTimeout) {
        if (connectionsPerServer < 1) {
            throw new IllegalArgumentException("connections per server must be at least 1, not " + connectionsPerServer);
        }
        this.credentials = credentials;
        this.connectionsPerServer = connectionsPerServer;
        // A list, not an SMBClient[]: creating that array would load smbj's client class in a job of local CAPs.
        this.clients = new ArrayList<>(Collections.nCopies(connectionsPerServer, null));
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    private Server server(SmbLocation location) {
        return servers.computeIfAbsent(location.server(), name -> new Server(location.host(), location.port(), name));
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
        Server server = server(location);
        Place place = server.placeOf(location);
        ServerSession session = place.session().announced();
        try {
            return session.run(work, location);
        } catch (SessionLost lost) {
            server.drop(session);
            log.info("smb: connection to {} lost ({}), reconnecting once", server.name, lost.getMessage());
            ServerSession again = place.session().announced();
            try {
                return again.run(work, location);
            } catch (SessionLost lostAgain) {
                server.drop(again);
                throw new CopyFailure("connection to " + server.name + " lost, and again after one reconnect: " + lostAgain.getMessage());
            }
        }
    }

    /**
     * Opens, on daemon threads, the sessions and share connections a run's CAPs will need, in the order given, so that
     * they are ready when a CAP's turn comes instead of costing its attempt: a session is several round trips and, in a
     * fresh JVM, a few hundred milliseconds of loading smbj; a share of its own per CAP (the usual layout) is one round
     * trip more per CAP. Each share is connected once, on the connection its CAPs will use. A
     * failure is not reported here: it is remembered as when a CAP meets it (an unreachable server for a short while, a
     * refused logon for the run), and the CAP's attempt reports it. A CAP whose server is still connecting waits for
     * that connection rather than opening a second one.
     *
     * @param threads how many connect at once: a thread connects a share per round trip, while many copying threads
     *                meet a new share every few round trips between them
     * @return these sessions
     */
    public SmbSessions connectAhead(List<SmbLocation> shares, int threads) {
        Set<String> seen = new HashSet<>();
        List<SmbLocation> places = new ArrayList<>();
        for (SmbLocation location : shares) {
            // The folder counts: CAPs that are folders of one share may be dealt to different connections of the pool.
            if (seen.add(location.server() + "/" + location.share() + "/" + location.folder())) {
                places.add(location);
            }
        }
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < Math.min(threads, places.size()); t++) {
            Thread thread = new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < places.size() && !closed.get(); ) {
                    SmbLocation location = places.get(i);
                    try {
                        server(location).placeOf(location).session().share(location);
                    } catch (CopyException | RuntimeException e) {
                        log.debug("smb: connecting ahead to {}: {}", location.describeShare(), e.getMessage());
                    }
                }
            }, "capsync-smb-ahead-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    /**
     * Turns an smbj failure that is not an answer about a file (connection gone, session forgotten) into
     * {@link SessionLost}. Takes any runtime exception, not smbj's: a parameter of smbj's type would load it in every
     * run, local CAPs only included, when this class is linked.
     */
    static SessionLost lostOrNull(RuntimeException e) {
        if (e instanceof SMBApiException api) {
            return SmbSharingViolations.isSessionLost(api.getStatusCode())
                    ? new SessionLost(SmbSharingViolations.name(api.getStatusCode()), e) : null;
        }
        return new SessionLost(rootMessage(e), e);
    }

    /** How many sessions were established so far (one per connection of a server's pool, plus reconnects). */
    public int sessionsOpened() {
        return sessionsOpened.get();
    }

    /** How many share connections (tree connects) were made so far, over all sessions. */
    public int sharesConnected() {
        return sharesConnected.get();
    }

    /** How many connections are logged on now, over all servers. */
    public int connectionsOpen() {
        int open = 0;
        for (Server server : servers.values()) {
            for (Place place : server.places) {
                open += place.isOpen() ? 1 : 0;
            }
        }
        return open;
    }

    public SmbCredentials credentials() {
        return credentials;
    }

    /**
     * Logs off every session and closes its connection; a second call does nothing. The LOGOFFs are sent all at once
     * and awaited together, and without a TREE_DISCONNECT per share first (smbj's own logoff waits for one per share,
     * in turn): a server disconnects a session's tree connects itself when the session logs off (MS-SMB2 3.3.5.6), and
     * no file is open by then. Over a WAN link, one round trip per share at the end of every run.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ServerSession> open = new ArrayList<>();
        for (Server server : servers.values()) {
            for (Place place : server.places) {
                ServerSession session = place.takeForClose();
                if (session != null) {
                    open.add(session);
                }
            }
        }
        List<Future<SMB2Logoff>> logoffs = new ArrayList<>();
        for (ServerSession session : open) {
            logoffs.add(session.sendLogoff());
        }
        for (int i = 0; i < open.size(); i++) {
            open.get(i).awaitLogoffAndDisconnect(logoffs.get(i), requestTimeout);
        }
        synchronized (this) {
            for (Object client : clients) {
                if (client != null) {
                    ((SMBClient) client).close();
                }
            }
        }
    }

    private final class Server {
        final String host;
        final int port;
        final String name;
        final Place[] places;
        private final Map<String, Place> placeOfCap = new ConcurrentHashMap<>();
        private final AtomicInteger nextPlace = new AtomicInteger();
        private volatile long unreachableUntilNanos;
        private volatile String unreachable;
        /** Set once no connection of the pool is logged on and a logon was refused: never tried again. */
        private volatile String logonRefused;

        Server(String host, int port, String name) {
            this.host = host;
            this.port = port;
            this.name = name;
            this.places = new Place[connectionsPerServer];
            for (int i = 0; i < places.length; i++) {
                places[i] = new Place(this, i);
            }
        }

        /**
         * The connection that serves a CAP, dealt round-robin when the CAP is first used: all of one CAP's work goes
         * over one connection, and a share is tree-connected on at most as many connections as the pool has.
         */
        Place placeOf(SmbLocation location) {
            return placeOfCap.computeIfAbsent(location.share() + '\\' + location.folder(),
                    cap -> places[Math.floorMod(nextPlace.getAndIncrement(), places.length)]);
        }

        /** Forgets a session that failed, in whichever place holds it. */
        void drop(ServerSession failed) {
            for (Place place : places) {
                place.drop(failed);
            }
        }

        /** Another place of the pool that is logged on, to serve the shares of one whose logon was refused. */
        Place loggedOnOtherThan(Place refused) {
            for (Place place : places) {
                if (place != refused && place.refused == null && place.isOpen()) {
                    return place;
                }
            }
            return null;
        }
    }

    /** One connection of a server's pool, opened when first needed and replaced when dropped. */
    private final class Place {
        final Server server;
        final int index;
        /** Volatile: other places read it without this place's lock (a lock each way could deadlock). */
        private volatile ServerSession current;
        /** This place's logon was refused while another place was logged on: its shares go there, for the run. */
        private volatile String refused;

        Place(Server server, int index) {
            this.server = server;
            this.index = index;
        }

        boolean isOpen() {
            ServerSession session = current;
            return session != null && session.connection.isConnected();
        }

        ServerSession session() throws CopyFailure {
            if (refused != null) {
                Place other = server.loggedOnOtherThan(this);
                if (other == null) {
                    throw new CopyFailure(refused);
                }
                return other.session();
            }
            synchronized (this) {
                if (current != null && current.connection.isConnected()) {
                    return current;
                }
                if (closed.get()) {
                    throw new CopyFailure("the run's SMB sessions are closed");
                }
                if (server.logonRefused != null) {
                    throw new CopyFailure(server.logonRefused);
                }
                String unreachable = server.unreachable;
                if (unreachable != null && System.nanoTime() - server.unreachableUntilNanos < 0) {
                    throw new CopyFailure(unreachable);
                }
                Connection connection;
                try {
                    connection = client().connect(server.host, server.port);
                } catch (IOException | SMBRuntimeException e) {
                    server.unreachableUntilNanos = System.nanoTime() + REMEMBER_UNREACHABLE.toNanos();
                    server.unreachable = "cannot connect to " + server.name + ": " + rootMessage(e);
                    throw new CopyFailure(server.unreachable);
                }
                Session session;
                try {
                    session = connection.authenticate(credentials.isGuest() ? AuthenticationContext.guest()
                            : new AuthenticationContext(credentials.user(), credentials.password().toCharArray(), credentials.domain()));
                } catch (SMBApiException e) {
                    ServerSession.closeQuietly(connection);
                    String refusal = "logon to " + server.name + " as " + credentials.account() + " refused ("
                            + SmbSharingViolations.name(e.getStatusCode()) + "; credentials from " + credentials.source() + ")";
                    refused = refusal;
                    if (server.loggedOnOtherThan(this) == null) {
                        server.logonRefused = refusal;
                        throw new CopyFailure(refusal);
                    }
                    log.warn("smb: {} on connection {} of {}; its shares use the connections already logged on",
                            refusal, index + 1, server.name);
                    session = null;
                } catch (SMBRuntimeException e) {
                    ServerSession.closeQuietly(connection);
                    throw new CopyFailure("cannot log on to " + server.name + " as " + credentials.account() + ": " + rootMessage(e));
                }
                if (session != null) {
                    int n = sessionsOpened.incrementAndGet();
                    current = new ServerSession(connection, session, server.name,
                            "smb: session to " + server.name + " as " + credentials.account() + " opened (" + n + " so far)",
                            sharesConnected);
                    server.unreachable = null;
                    return current;
                }
            }
            // Refused here, logged on elsewhere: served by another place from now on.
            return session();
        }

        /**
         * This place's client, shared by the same place of every server (smbj's client hands out one connection per
         * {@code host:port}). Here rather than a method of the sessions, whose signatures Spring reads in every run.
         */
        private SMBClient client() {
            synchronized (SmbSessions.this) {
                if (clients.get(index) == null) {
                    clients.set(index, new SMBClient(SmbConfig.builder()
                            .withTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            .withSocketFactory(new SmbSocketFactory((int) connectTimeout.toMillis()))
                            .withDfsEnabled(false)
                            .build()));
                }
                return clients.get(index);
            }
        }

        /** Forgets a session that failed, unless another thread already replaced it. */
        synchronized void drop(ServerSession failed) {
            if (current == failed) {
                current = null;
                failed.close();
            }
        }

        synchronized ServerSession takeForClose() {
            ServerSession session = current;
            current = null;
            return session;
        }
    }

    /** A logged-on session and the shares connected on it, each tree-connected once. */
    private static final class ServerSession {
        final Connection connection;
        final Session session;
        final String server;
        private final Map<String, DiskShare> shares = new ConcurrentHashMap<>();
        /** One lock per share name: a share is tree-connected once, while other shares connect meanwhile. */
        private final Map<String, Object> connecting = new ConcurrentHashMap<>();
        private final AtomicReference<String> opened;
        private final AtomicInteger connectedCount;

        ServerSession(Connection connection, Session session, String server, String opened, AtomicInteger connectedCount) {
            this.connectedCount = connectedCount;
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

        /**
         * Runs the work on the location's share; smbj's failure to send or receive that the work did not classify
         * itself (a request sent without waiting, on a connection that just broke) is a lost session too. Here, not in
         * the sessions: a run of local CAPs loads no smbj class (the sessions' own are verified in every run).
         */
        <T> T run(ShareWork<T> work, SmbLocation location) throws CopyException {
            DiskShare share = share(location);
            try {
                return work.run(share);
            } catch (SMBRuntimeException e) {
                SessionLost lost = lostOrNull(e);
                if (lost == null) {
                    throw e;
                }
                throw lost;
            }
        }

        DiskShare share(SmbLocation location) throws CopyFailure {
            DiskShare share = shares.get(location.share());
            if (share != null && share.isConnected()) {
                return share;
            }
            synchronized (connecting.computeIfAbsent(location.share(), name -> new Object())) {
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
                connectedCount.incrementAndGet();
                return disk;
            }
        }

        static void closeQuietly(Connection connection) {
            try {
                connection.close(true);
            } catch (IOException | RuntimeException e) {
                // nothing more to do with a broken connection
            }
        }

        /** Drops a session that failed: nothing to log off. */
        void close() {
            ServerSession.closeQuietly(connection);
        }

        /** Sends the LOGOFF without awaiting its answer; null when the connection is gone already. */
        Future<SMB2Logoff> sendLogoff() {
            if (!connection.isConnected()) {
                return null;
            }
            try {
                return session.send(new SMB2Logoff(connection.getNegotiatedProtocol().getDialect(), session.getSessionId()));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        void awaitLogoffAndDisconnect(Future<SMB2Logoff> logoff, Duration timeout) {
            try {
                if (logoff != null) {
                    logoff.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // the server may be gone already; closing the connection ends the session there too
            }
            ServerSession.closeQuietly(connection);
        }
    }

    /** The session is unusable: the connection dropped or the server forgot the session or tree connect. */
    static final class SessionLost extends RuntimeException {
        SessionLost(String message, Throwable cause) {
            super(message, cause);
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
