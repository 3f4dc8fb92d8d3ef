package org.capsync.demo;

import java.time.Duration;
import java.util.Optional;

import org.capsync.history.HistoryQueries;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryConnection;

/**
 * The demo's client that "lets go after a few seconds": it lets go a little while after capsync has found its file in
 * use, rather than after a fixed time from its start, so the demo shows retry → copied however slow the machine is.
 */
public final class BriefHolder implements AutoCloseable {

    private final Thread watcher;

    private BriefHolder(Thread watcher) {
        this.watcher = watcher;
    }

    public static BriefHolder releaseAfterRefusal(ClientSimulator client, CapsyncHome home, String job, String cap,
            Duration after) {
        Thread watcher = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (System.nanoTime() < deadline && !refused(home, job, cap)) {
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

    private static boolean refused(CapsyncHome home, String job, String cap) {
        try {
            Optional<RepositoryConnection> opened = RepositoryConnection.openWhileARunHoldsIt(home);
            if (opened.isEmpty()) {
                return false;
            }
            try (RepositoryConnection repository = opened.get()) {
                return new HistoryQueries(repository.jdbc()).inUseAttempts(job, cap) > 0;
            }
        } catch (RuntimeException notYet) {
            // the run has not created its tables yet
            return false;
        }
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
