package org.capsync.history;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.capsync.repository.PairStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the progress of a job's running execution from the repository, the same rows the run writes: no counters in
 * the job's wiring, and a second process could draw the same bar. Two small indexed queries; polled a few times a
 * second only while a progress bar is shown.
 */
public final class ProgressProbe {

    private final JdbcClient jdbc;
    private final String job;
    /** The execution last seen running: once it has ended, its final counts are still read from it. */
    private long[] followed;

    public ProgressProbe(DataSource repository, String job) {
        this.jdbc = JdbcClient.create(repository);
        this.job = job;
    }

    /**
     * The counts of the job's newest running execution, or of the one last seen running once it has ended; empty
     * before any has started. Called from one thread.
     */
    public Optional<RunProgress> read() {
        List<long[]> running = jdbc.sql("SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION e "
                        + "JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID "
                        + "WHERE i.JOB_NAME = ? AND e.STATUS IN ('STARTING', 'STARTED') "
                        + "ORDER BY e.JOB_EXECUTION_ID DESC FETCH FIRST 1 ROW ONLY")
                .param(job).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).list();
        if (!running.isEmpty()) {
            followed = running.get(0);
        }
        if (followed == null) {
            return Optional.empty();
        }
        long execution = followed[0];
        long instance = followed[1];
        return jdbc.sql("""
                SELECT COUNT(DISTINCT CAP_NAME),
                       COUNT(DISTINCT CASE WHEN STATUS IN %s THEN CAP_NAME END),
                       COUNT(*),
                       SUM(CASE WHEN STATUS = 'PENDING' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN STATUS = 'RETRY' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN STATUS = 'COPIED' AND JOB_EXECUTION_ID = ? THEN 1 ELSE 0 END),
                       SUM(CASE WHEN STATUS = 'UNCHANGED' AND JOB_EXECUTION_ID = ? THEN 1 ELSE 0 END),
                       SUM(CASE WHEN STATUS = 'SKIPPED' AND JOB_EXECUTION_ID = ? THEN 1 ELSE 0 END),
                       SUM(CASE WHEN STATUS = 'FAILED' AND JOB_EXECUTION_ID = ? THEN 1 ELSE 0 END),
                       MIN(CASE WHEN STATUS = 'RETRY' THEN NEXT_ATTEMPT END)
                FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ?
                """.formatted(PairStatus.unfinishedInSql()))
                .params(execution, execution, execution, execution, instance)
                .query((rs, n) -> {
                    int caps = rs.getInt(1);
                    Timestamp next = rs.getTimestamp(10);
                    return new RunProgress(execution, caps, caps - rs.getInt(2), rs.getInt(3), rs.getInt(4),
                            rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getInt(9),
                            next == null ? null : next.toInstant());
                }).optional();
    }
}
