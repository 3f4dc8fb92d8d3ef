package org.capsync.workers;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * CAPSYNC_WORKER: each worker rewrites its row every second, with the database's clock in UTC (the machines' clocks
 * and time zones may disagree; the driver sets each session to its JVM's zone). A region whose workers all stopped writing has no worker, which tells the site server "no worker" from
 * "every worker busy".
 */
final class WorkerRegistry {

    static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;

    WorkerRegistry(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void beat(String worker, List<String> regions, int threads) {
        int updated = jdbc.update("UPDATE CAPSYNC_WORKER SET REGIONS = ?, THREADS = ?, HEARTBEAT = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') WHERE WORKER = ?",
                String.join(",", regions), threads, worker);
        if (updated == 0) {
            jdbc.update("INSERT INTO CAPSYNC_WORKER (WORKER, REGIONS, THREADS, STARTED, HEARTBEAT) "
                    + "VALUES (?, ?, ?, CURRENT_TIMESTAMP AT TIME ZONE 'UTC', CURRENT_TIMESTAMP AT TIME ZONE 'UTC') ON CONFLICT (WORKER) DO NOTHING",
                    worker, String.join(",", regions), threads);
        }
    }

    void leave(String worker) {
        jdbc.update("DELETE FROM CAPSYNC_WORKER WHERE WORKER = ?", worker);
    }

    /** The regions served by a worker that wrote its row within {@code within}. */
    Set<String> liveRegions(Duration within) {
        Set<String> regions = new HashSet<>();
        jdbc.query("SELECT REGIONS FROM CAPSYNC_WORKER WHERE HEARTBEAT > (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') - make_interval(secs => ?)",
                rs -> {
                    regions.addAll(List.of(rs.getString(1).split(",")));
                }, within.toMillis() / 1000.0);
        return regions;
    }
}
