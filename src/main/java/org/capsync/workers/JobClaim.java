package org.capsync.workers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.capsync.run.RunLock;

/**
 * The job's run, claimed in the shared repository for as long as it lasts: an advisory lock on a connection of its
 * own. The per-host {@link RunLock} keeps two runs on one host apart; a job on workers can be resumed from another host
 * with the same site, and this lock is what proves that an execution left STARTED has no live site server anywhere.
 */
public final class JobClaim implements AutoCloseable {

    private final Connection connection;

    private JobClaim(Connection connection) {
        this.connection = connection;
    }

    /** @throws RunLock.RunInProgress (exit 4) when a process on another host runs the job */
    public static JobClaim claim(DataSource dataSource, String jobName) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(true);
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, "capsync.job:" + jobName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    connection.close();
                    throw new RunLock.RunInProgress(jobName, "a site server on another host runs it");
                }
            }
        }
        return new JobClaim(connection);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connection; PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock_all()")) {
            ps.execute();
        }
    }
}
