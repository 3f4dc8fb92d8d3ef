package org.capsync.repository;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.core.env.PropertyResolver;

/**
 * The job repository being opened (the pool's first connection, H2's start with its auto-server, the schema check) on a
 * thread of its own while the run's Spring context is built, which does not need it until its first repository bean:
 * the two would otherwise wait for each other on every start. {@link RepositoryConfiguration} takes the pool from here.
 */
final class RepositoryOpening {

    private final FutureTask<HikariDataSource> pool;
    private volatile boolean taken;

    private RepositoryOpening(FutureTask<HikariDataSource> pool) {
        this.pool = pool;
    }

    /** Starts opening the repository that {@code properties} name (see {@link RepositoryConfiguration}). */
    public static RepositoryOpening start(PropertyResolver properties, RepositoryLocation location) {
        FutureTask<HikariDataSource> pool = new FutureTask<>(() -> {
            // The embedded repository's first connection, which sets its password if an earlier capsync left it
            // without one; held while the pool opens, so the pool joins the database it opened instead of opening it again.
            try (Connection first = firstConnection(location)) {
                return RepositoryConfiguration.open(properties);
            }
        });
        Thread thread = new Thread(pool, "capsync-repository-open");
        thread.setDaemon(true);
        thread.start();
        return new RepositoryOpening(pool);
    }

    /**
     * Sets the password of a repository an earlier capsync left without one (no password file beside it yet), before
     * the run's properties are read; does nothing otherwise. Call it with the {@link RepositoryGate} held exclusively.
     */
    static void upgradeEarlierCapsyncs(RepositoryLocation repository) throws SQLException {
        if (repository instanceof RepositoryLocation.EmbeddedH2 h2) {
            h2.upgradeEarlierCapsyncs();
        }
    }

    private static Connection firstConnection(RepositoryLocation repository) throws SQLException {
        return repository instanceof RepositoryLocation.EmbeddedH2 h2 ? h2.connect(h2.jdbcUrl()) : null;
    }

    /** The open pool, once it is; or what opening it threw, as it was thrown. */
    HikariDataSource take() throws SQLException {
        try {
            HikariDataSource open = pool.get();
            taken = true;
            return open;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the job repository", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** For a context that failed before it took the pool: waits for the opening to end and closes what it opened. */
    public void discardIfNotTaken() {
        if (taken) {
            return;
        }
        try {
            pool.get().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException nothingOpened) {
            // the opening failed: there is no pool to close
        }
    }
}
