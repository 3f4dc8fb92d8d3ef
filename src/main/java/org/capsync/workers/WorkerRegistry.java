package org.capsync.workers;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * CAPSYNC_WORKER: each worker rewrites its row every second, with the database's clock (the machines' clocks may
 * disagree). A region whose workers all stopped writing has no worker, which tells the site server "no worker" from
 * "every worker busy".
 */
final class WorkerRegistry {

    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;

    WorkerRegistry(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void beat(String worker, List<String> regions, int threads) {
        int updated = jdbc.update("UPDATE CAPSYNC_WORKER SET REGIONS = ?, THREADS = ?, HEARTBEAT = LOCALTIMESTAMP WHERE WORKER = ?",
                String.join(",", regions), threads, worker);
        if (updated == 0) {
            jdbc.update("INSERT INTO CAPSYNC_WORKER (WORKER, REGIONS, THREADS, STARTED, HEARTBEAT) "
                    + "VALUES (?, ?, ?, LOCALTIMESTAMP, LOCALTIMESTAMP) ON CONFLICT (WORKER) DO NOTHING",
                    worker, String.join(",", regions), threads);
        }
    }

    void leave(String worker) {
        jdbc.update("DELETE FROM CAPSYNC_WORKER WHERE WORKER = ?", worker);
    }

    /** The regions served by a worker that wrote its row within {@code within}. */
    Set<String> liveRegions(Duration within) {
        Set<String> regions = new HashSet<>();
        jdbc.query("SELECT REGIONS FROM CAPSYNC_WORKER WHERE HEARTBEAT > LOCALTIMESTAMP - make_interval(secs => ?)",
                rs -> {
                    regions.addAll(List.of(rs.getString(1).split(",")));
                }, within.toMillis() / 1000.0);
        return regions;
    }
}
