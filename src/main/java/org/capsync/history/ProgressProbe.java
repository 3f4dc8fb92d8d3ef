package org.capsync.history;

import java.sql.Timestamp;
import java.util.Optional;

import javax.sql.DataSource;

import org.capsync.repository.PairStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the progress of the run about to start from the repository, the same rows the run writes: no counters in the
 * job's wiring, and a second process could draw the same bar. Two small indexed queries; polled a few times a second
 * only while a progress bar is shown.
 */
public final class ProgressProbe {

    /**
     * The job's newest execution after a given one: the run's own once it has started, running or ended. From the
     * executions' primary key, newest first, so a poll reads the run's executions only; joined on the job's name, H2
     * would list every instance the job ever had at each poll.
     */
    static final String NEWEST_AFTER = "SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION e "
            + "WHERE e.JOB_EXECUTION_ID > ? "
            + "AND (SELECT i.JOB_NAME FROM BATCH_JOB_INSTANCE i WHERE i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID) = ? "
            + "ORDER BY e.JOB_EXECUTION_ID DESC FETCH FIRST 1 ROW ONLY";

    private final JdbcClient jdbc;
    private final String job;
    /**
     * The newest execution of any job when the probe was made, before the run starts. Older ones are not the run's,
     * even one that a killed run left STARTED.
     */
    private final long before;

    /** A probe for the next run of {@code job}: made before that run starts. */
    public ProgressProbe(DataSource repository, String job) {
        this.jdbc = JdbcClient.create(repository);
        this.job = job;
        this.before = jdbc.sql("SELECT COALESCE(MAX(JOB_EXECUTION_ID), 0) FROM BATCH_JOB_EXECUTION").query(Long.class)
                .single();
    }

    /**
     * The counts of the run's execution, running or ended (so that a run over before the first poll still leaves its
     * counts on screen); empty before it has started. Called from one thread.
     */
    public Optional<RunProgress> read() {
        Optional<long[]> run = jdbc.sql(NEWEST_AFTER).params(before, job)
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).optional();
        if (run.isEmpty()) {
            return Optional.empty();
        }
        long execution = run.get()[0];
        long instance = run.get()[1];
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
