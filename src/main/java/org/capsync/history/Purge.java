package org.capsync.history;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryConnection;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;

/**
 * {@code capsync purge}: Spring Batch has no purge. Removes whole runs (job instances) whose every execution ended
 * before the cut-off, with everything recorded about them, in one transaction. Whole runs only: a restart needs the
 * earlier executions of its instance (their completed steps), so an instance with any execution kept is kept entire.
 * Never removes a job's latest run, nor a run with an execution still going.
 */
public final class Purge {

    /** Batches of ids per statement: keeps IN lists within every database's limits. */
    private static final int BATCH = 500;

    /**
     * What a purge removed (or would remove, for a dry run).
     *
     * @param instances the removed runs (job instances), by job, for deleting their leftover snapshot folders
     */
    public record Result(Instant before, int runs, int executions, long outcomes, long attempts, int keptExecutions,
            List<PurgedRun> instances) {
    }

    /** One removed run. */
    public record PurgedRun(String job, long instanceId) {
    }

    private final RepositoryConnection database;
    private final CapsyncHome home;

    public Purge(RepositoryConnection database, CapsyncHome home) {
        this.database = database;
        this.home = home;
    }

    public Result olderThan(Instant before, boolean dryRun) {
        if (dryRun) {
            JdbcClient jdbc = database.jdbc();
            List<PurgedRun> runs = runs(jdbc, before);
            Removed counted = new Removed();
            for (List<Long> instances : batches(runs.stream().map(PurgedRun::instanceId).toList())) {
                List<Long> executions = executionsOf(jdbc, instances);
                counted.executions += executions.size();
                counted.outcomes += count(jdbc, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID IN (:ids)", instances);
                for (List<Long> ids : batches(executions)) {
                    counted.attempts += count(jdbc, "SELECT COUNT(*) FROM CAPSYNC_ATTEMPT WHERE JOB_EXECUTION_ID IN (:ids)", ids);
                }
            }
            return result(jdbc, before, runs, counted, false);
        }
        Result result = database.inTransaction(() -> {
            JdbcClient jdbc = database.jdbc();
            List<PurgedRun> runs = runs(jdbc, before);
            return result(jdbc, before, runs, delete(jdbc, runs), true);
        });
        // Files last, once the rows are gone for good: an abandoned run may have left its snapshot behind.
        for (PurgedRun run : result.instances()) {
            try {
                FileSystemUtils.deleteRecursively(home.snapshots().resolve(run.job()).resolve(Long.toString(run.instanceId())));
            } catch (IOException ignored) {
                // a leftover snapshot wastes a little space in CAPSYNC_HOME, nothing more
            }
        }
        return result;
    }

    /** What was (or would be) removed, counted as it goes: counting a large backlog first would double the work. */
    private static final class Removed {
        int executions;
        long outcomes;
        long attempts;
    }

    private static Result result(JdbcClient jdbc, Instant before, List<PurgedRun> runs, Removed removed, boolean deleted) {
        int left = jdbc.sql("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION").query(Integer.class).single();
        return new Result(before, runs.size(), removed.executions, removed.outcomes, removed.attempts,
                deleted ? left : left - removed.executions, runs);
    }

    /**
     * The runs to remove: instances with executions, all of them finished before the cut-off, none still going, and
     * none of them its job's latest execution.
     */
    private static List<PurgedRun> runs(JdbcClient jdbc, Instant before) {
        return jdbc.sql("""
                SELECT i.JOB_NAME, i.JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE i
                WHERE EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID)
                  AND NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID
                        AND (e.STATUS IN ('STARTING', 'STARTED', 'STOPPING')
                             OR COALESCE(e.END_TIME, e.START_TIME, e.CREATE_TIME) >= :cutoff))
                  AND i.JOB_INSTANCE_ID NOT IN (
                        SELECT e.JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION e WHERE e.JOB_EXECUTION_ID IN (
                            SELECT MAX(le.JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION le
                            JOIN BATCH_JOB_INSTANCE li ON li.JOB_INSTANCE_ID = le.JOB_INSTANCE_ID
                            GROUP BY li.JOB_NAME))
                ORDER BY i.JOB_INSTANCE_ID
                """)
                .param("cutoff", Timestamp.from(before))
                .query((rs, n) -> new PurgedRun(rs.getString(1), rs.getLong(2)))
                .list();
    }

    private static List<Long> executionsOf(JdbcClient jdbc, List<Long> instances) {
        return jdbc.sql("SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID IN (:ids)")
                .param("ids", instances).query(Long.class).list();
    }

    /** Children before parents, so that Spring Batch's foreign keys hold at every statement. */
    private static Removed delete(JdbcClient jdbc, List<PurgedRun> runs) {
        Removed removed = new Removed();
        for (List<Long> instances : batches(runs.stream().map(PurgedRun::instanceId).toList())) {
            List<Long> executions = executionsOf(jdbc, instances);
            for (List<Long> ids : batches(executions)) {
                removed.attempts += update(jdbc, "DELETE FROM CAPSYNC_ATTEMPT WHERE JOB_EXECUTION_ID IN (:ids)", ids);
                update(jdbc, "DELETE FROM BATCH_STEP_EXECUTION_CONTEXT WHERE STEP_EXECUTION_ID IN "
                        + "(SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID IN (:ids))", ids);
                update(jdbc, "DELETE FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID IN (:ids)", ids);
                update(jdbc, "DELETE FROM BATCH_JOB_EXECUTION_CONTEXT WHERE JOB_EXECUTION_ID IN (:ids)", ids);
                update(jdbc, "DELETE FROM BATCH_JOB_EXECUTION_PARAMS WHERE JOB_EXECUTION_ID IN (:ids)", ids);
            }
            removed.outcomes += update(jdbc, "DELETE FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID IN (:ids)", instances);
            update(jdbc, "DELETE FROM CAPSYNC_SNAPSHOT WHERE JOB_INSTANCE_ID IN (:ids)", instances);
            removed.executions += update(jdbc, "DELETE FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID IN (:ids)", instances);
            update(jdbc, "DELETE FROM BATCH_JOB_INSTANCE WHERE JOB_INSTANCE_ID IN (:ids)", instances);
        }
        return removed;
    }

    private static int count(JdbcClient jdbc, String sql, List<Long> ids) {
        return jdbc.sql(sql).param("ids", ids).query(Integer.class).single();
    }

    private static int update(JdbcClient jdbc, String sql, List<Long> ids) {
        return jdbc.sql(sql).param("ids", ids).update();
    }

    private static List<List<Long>> batches(List<Long> ids) {
        Set<Long> sorted = new TreeSet<>(ids);
        List<List<Long>> batches = new ArrayList<>();
        List<Long> batch = new ArrayList<>(BATCH);
        for (Long id : sorted) {
            batch.add(id);
            if (batch.size() == BATCH) {
                batches.add(batch);
                batch = new ArrayList<>(BATCH);
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
