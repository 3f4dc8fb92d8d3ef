package org.capsync.repository;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryGate;
import org.capsync.repository.RepositoryLocation;
import org.capsync.repository.RepositoryPassword;
import org.h2.api.ErrorCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job repository opened for the history commands: one JDBC connection, no Spring context and no migration, so a
 * query answers in well under a second. While a run holds the repository the connection goes through the run's
 * loopback {@code AUTO_SERVER}; otherwise this process reads the file itself, holding the {@link RepositoryGate} so
 * that a run starting meanwhile waits instead of depending on this short-lived process. With {@code CAPSYNC_DB_URL} the
 * connection goes to the shared PostgreSQL server instead. Never creates a repository.
 */
public final class RepositoryConnection implements AutoCloseable {

    /** Readers wait this long for a run that is opening the repository (a few seconds normally). */
    private static final Duration RUN_OPENING_WAIT = Duration.ofSeconds(30);

    private final RepositoryGate gate;
    private final SingleConnectionDataSource dataSource;
    private final JdbcClient jdbc;

    private RepositoryConnection(RepositoryGate gate, SingleConnectionDataSource dataSource) {
        this.gate = gate;
        this.dataSource = dataSource;
        this.jdbc = JdbcClient.create(dataSource);
    }

    /** The repository under {@code home} for queries, or empty when no run was ever recorded there. */
    public static Optional<RepositoryConnection> open(CapsyncHome home) {
        return open(home, false);
    }

    /**
     * The repository under {@code home} for queries while a run has it open, or empty while none has: a watcher that
     * polls for what a run records never keeps a starting run waiting at the {@link RepositoryGate}.
     */
    public static Optional<RepositoryConnection> openWhileARunHoldsIt(CapsyncHome home) {
        if (home.repositoryLocation() instanceof RepositoryLocation.EmbeddedH2 h2 && !h2.heldOpen()) {
            return Optional.empty();
        }
        return open(home, false);
    }

    /** The repository under {@code home} for purging, or empty when no run was ever recorded there. */
    public static Optional<RepositoryConnection> openForWriting(CapsyncHome home) {
        return open(home, true);
    }

    private static Optional<RepositoryConnection> open(CapsyncHome home, boolean write) {
        if (home.repositoryLocation().shared()) {
            return openShared(home.repositoryLocation());
        }
        RepositoryLocation.EmbeddedH2 location = (RepositoryLocation.EmbeddedH2) home.repositoryLocation();
        if (!location.exists()) {
            return Optional.empty();
        }
        if (RepositoryPassword.earlierCapsyncs(location)) {
            // A repository of an earlier capsync, still on H2's empty password: set it while no other process opens
            // the repository (two opening the file at once trip over H2's lock file), then open it as usual.
            try (RepositoryGate alone = RepositoryGate.exclusive(home, RUN_OPENING_WAIT)) {
                location.upgradeEarlierCapsyncs();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open the job repository " + home.repository() + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(openEmbedded(home, location, write));
    }

    private static RepositoryConnection openEmbedded(CapsyncHome home, RepositoryLocation.EmbeddedH2 location, boolean write) {
        RepositoryGate gate = RepositoryGate.forReading(home, RUN_OPENING_WAIT);
        try {
            String shared = home.jdbcUrl() + ";IFEXISTS=TRUE";
            // No process holds the repository (H2 writes the lock file only while an AUTO_SERVER owner has it open):
            // read the file directly, read-only. That skips H2's lock-file handshake (most of a second), never makes
            // this process a server, and its shared file lock makes a writer that ignored the gate fail, not corrupt.
            boolean held = location.heldOpen();
            String url = write || held ? shared : withoutAutoServer(shared) + ";ACCESS_MODE_DATA=r";
            SingleConnectionDataSource dataSource;
            try {
                dataSource = connected(location.connect(url));
            } catch (SQLException e) {
                if (url.equals(shared) || e.getErrorCode() != ErrorCode.DATABASE_ALREADY_OPEN_1) {
                    throw e;
                }
                // A run took the repository between the look at the lock file and the open: go through its server.
                dataSource = connected(location.connect(shared));
            }
            return new RepositoryConnection(gate, dataSource);
        } catch (SQLException e) {
            gate.close();
            throw RepositoryProblems.naming(new IllegalStateException(
                    "cannot open the job repository " + home.repository() + ": " + e.getMessage(), e), location);
        } catch (RuntimeException e) {
            gate.close();
            throw e;
        }
    }

    /**
     * The shared PostgreSQL repository ({@code CAPSYNC_DB_URL}): a server coordinates its own readers and writers, so
     * no gate; a database where no run has created the schema yet has no history.
     */
    private static Optional<RepositoryConnection> openShared(RepositoryLocation server) {
        SingleConnectionDataSource dataSource = null;
        try {
            dataSource = connect(server.jdbcUrl(), server.user(), server.password());
            try (var connection = dataSource.getConnection();
                 var tables = connection.getMetaData().getTables(null, null, "batch_job_instance", null)) {
                if (!tables.next()) {
                    dataSource.destroy();
                    return Optional.empty();
                }
            }
            return Optional.of(new RepositoryConnection(null, dataSource));
        } catch (SQLException e) {
            if (dataSource != null) {
                dataSource.destroy();
            }
            throw new IllegalStateException("cannot open " + server.describe() + ": " + e.getMessage(), e);
        }
    }

    private static SingleConnectionDataSource connected(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        return new SingleConnectionDataSource(connection, true);
    }

    private static SingleConnectionDataSource connect(String url, String user, String password) throws SQLException {
        SingleConnectionDataSource dataSource = new SingleConnectionDataSource(url, user, password, true);
        dataSource.setAutoCommit(true);
        try {
            // Connect now, so that a repository another program holds fails here with H2's own message.
            dataSource.getConnection();
            return dataSource;
        } catch (SQLException e) {
            dataSource.destroy();
            throw e;
        }
    }

    static String withoutAutoServer(String url) {
        StringBuilder plain = new StringBuilder();
        for (String part : url.split(";")) {
            if (!part.toUpperCase(java.util.Locale.ROOT).startsWith("AUTO_SERVER=")) {
                plain.append(plain.isEmpty() ? "" : ";").append(part);
            }
        }
        return plain.toString();
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none. */
    public <T> T inTransaction(Supplier<T> work) {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource)).execute(status -> work.get());
    }

    @Override
    public void close() {
        try {
            dataSource.destroy();
        } finally {
            if (gate != null) {
                gate.close();
            }
        }
    }
}
