package org.capsync.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryLocation;
import org.capsync.repository.RepositoryPassword;

/**
 * The demo's client that "lets go after a few seconds": it lets go a little while after capsync has found its file in
 * use, rather than after a fixed time from its start, so the demo shows retry → copied however slow the machine is.
 */
public final class BriefHolder implements AutoCloseable {

    private final Thread watcher;

    private BriefHolder(Thread watcher) {
        this.watcher = watcher;
    }

    public static BriefHolder releaseAfterRefusal(ClientSimulator client, CapsyncHome home, String cap, Duration after) {
        Thread watcher = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (System.nanoTime() < deadline && !refused(home, cap)) {
                    Thread.sleep(200);
                }
                Thread.sleep(after.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                client.close();
            }
        }, "demo-brief-holder");
        watcher.setDaemon(true);
        watcher.start();
        return new BriefHolder(watcher);
    }

    private static boolean refused(CapsyncHome home, String cap) {
        RepositoryLocation repository = home.repositoryLocation();
        try (Connection c = DriverManager.getConnection(repository.jdbcUrl(), repository.user(), repository.password());
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID "
                     + "WHERE p.CAP_NAME = ? AND a.RESULT = 'IN_USE' AND p.JOB_INSTANCE_ID = (SELECT MAX(JOB_INSTANCE_ID) FROM CAPSYNC_PAIR)")) {
            s.setString(1, cap);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        } catch (SQLException | RepositoryPassword.Unusable notYet) {
            // the run has not created its tables yet
            return false;
        }
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
