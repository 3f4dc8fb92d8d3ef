package org.capsync.workers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * PostgreSQL advisory locks, one per (job instance, partition), on a connection of their own: whoever copies a
 * partition holds its lock, so two workers never copy one partition at once. A session lock, not a lease: when its
 * holder dies its connection ends and PostgreSQL releases the lock, with no timeout to guess. The two-key form keeps
 * these apart from the one-key job locks ({@link JobClaim}).
 */
final class PartitionLocks implements AutoCloseable {

    private final Connection connection;

    PartitionLocks(DataSource dataSource) throws SQLException {
        this.connection = dataSource.getConnection();
        connection.setAutoCommit(true);
    }

    boolean tryLock(long instanceId, int partition) throws SQLException {
        return bool("SELECT pg_try_advisory_lock(?, ?)", instanceId, partition);
    }

    /** Waits as long as it takes. */
    void lock(long instanceId, int partition) throws SQLException {
        bool("SELECT pg_advisory_lock(?, ?) IS NULL", instanceId, partition);
    }

    void unlock(long instanceId, int partition) throws SQLException {
        bool("SELECT pg_advisory_unlock(?, ?)", instanceId, partition);
    }

    private boolean bool(String sql, long instanceId, int partition) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setInt(1, Math.toIntExact(instanceId));
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Releases every lock still held: the pool keeps the connection, and a session lock lives as long as it does. */
    @Override
    public void close() throws SQLException {
        try (Connection c = connection; PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock_all()")) {
            ps.execute();
        }
    }
}
