package org.capsync.history;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.capsync.repository.PairStatus;
import org.capsync.repository.RunStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The questions {@code history}, {@code show} and {@code caps} ask, in plain SQL over Spring Batch's {@code BATCH_*}
 * tables and capsync's {@code CAPSYNC_*} tables. Rows come back as records; Spring Batch's object graphs are never
 * loaded. Every query is bounded by an index (V3__history_indexes.sql), so they stay fast with a million outcomes.
 */
public final class HistoryQueries {

    private static final String EXECUTION_COLUMNS = "SELECT e.JOB_EXECUTION_ID, i.JOB_NAME, i.JOB_INSTANCE_ID, e.STATUS, "
            + "e.EXIT_CODE, e.EXIT_MESSAGE, e.START_TIME, e.END_TIME, "
            + "(SELECT MAX(p.JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION p "
            + "  WHERE p.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID AND p.JOB_EXECUTION_ID < e.JOB_EXECUTION_ID) AS RESTART_OF, "
            + "(SELECT MAX(n.JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION n WHERE n.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID) AS LATEST "
            + "FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID ";

    /** At most this many names of stale CAPs in a {@link JobStanding}. */
    static final int STALE_NAMES = 100;

    /**
     * One (CAP, file)'s rows newest first, through the {@code CAPSYNC_PAIR_CAP} index read backwards: H2 reads an index
     * backwards only when the ORDER BY names its columns in order and all descending, else it sorts every run's row
     * of the pair first. The first three are fixed by the WHERE, so the order is the runs' alone.
     */
    static final String NEWEST_RUN_FIRST =
            "ORDER BY JOB_NAME DESC, CAP_NAME DESC, FILE_NAME DESC, JOB_INSTANCE_ID DESC FETCH FIRST 1 ROW ONLY";

    /** The pair's latest row that some run got to (not PENDING), in this or an earlier run. */
    static final String LAST_KNOWN = "SELECT " + PairRow.COLUMNS + " FROM CAPSYNC_PAIR "
            + "WHERE JOB_NAME = ? AND CAP_NAME = ? AND FILE_NAME = ? AND STATUS <> 'PENDING' " + NEWEST_RUN_FIRST;

    /** The pair's latest row in which it was current. */
    static final String LAST_SUCCESS = "SELECT " + PairRow.COLUMNS + " FROM CAPSYNC_PAIR "
            + "WHERE JOB_NAME = ? AND CAP_NAME = ? AND FILE_NAME = ? AND STATUS IN " + PairStatus.currentInSql() + " "
            + NEWEST_RUN_FIRST;

    /** The pair's first run after a given one: the index read forwards from there, as far as its first row. */
    static final String FIRST_RUN_AFTER = "SELECT JOB_INSTANCE_ID FROM CAPSYNC_PAIR "
            + "WHERE JOB_NAME = ? AND CAP_NAME = ? AND FILE_NAME = ? AND JOB_INSTANCE_ID > ? "
            + "ORDER BY JOB_NAME, CAP_NAME, FILE_NAME, JOB_INSTANCE_ID FETCH FIRST 1 ROW ONLY";

    /**
     * For each stale pair of the instance: when the first run after the last one in which that (CAP, file) was
     * current started (its earliest execution), i.e. the run that left it not current, as {@code caps} dates it. The
     * last current run is found once per stale pair, in {@link #NEWEST_RUN_FIRST}'s order, and the run after it as the
     * first of the index from there: the cost is the runs each pair has been stale. Asked in the WHERE of a subquery
     * over the pair's runs instead, H2 asked it again for each of them, and a CAP stale for years took minutes after
     * every run.
     */
    static final String STALE_SINCE = "SELECT COUNT(*), MIN(SINCE) FROM ("
            + "SELECT (SELECT MIN(e.START_TIME) FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = ("
            + "          SELECT q.JOB_INSTANCE_ID FROM CAPSYNC_PAIR q "
            + "          WHERE q.JOB_NAME = s.JOB_NAME AND q.CAP_NAME = s.CAP_NAME AND q.FILE_NAME = s.FILE_NAME "
            + "            AND q.JOB_INSTANCE_ID > s.LAST_CURRENT "
            + "          ORDER BY q.JOB_NAME, q.CAP_NAME, q.FILE_NAME, q.JOB_INSTANCE_ID FETCH FIRST 1 ROW ONLY)) AS SINCE "
            + "FROM (SELECT p.JOB_NAME, p.CAP_NAME, p.FILE_NAME, COALESCE(("
            + "          SELECT c.JOB_INSTANCE_ID FROM CAPSYNC_PAIR c "
            + "          WHERE c.JOB_NAME = p.JOB_NAME AND c.CAP_NAME = p.CAP_NAME AND c.FILE_NAME = p.FILE_NAME "
            + "            AND c.STATUS IN " + PairStatus.currentInSql() + " "
            + "          ORDER BY c.JOB_NAME DESC, c.CAP_NAME DESC, c.FILE_NAME DESC, c.JOB_INSTANCE_ID DESC "
            + "          FETCH FIRST 1 ROW ONLY), -1) AS LAST_CURRENT "
            + "      FROM CAPSYNC_PAIR p WHERE p.JOB_INSTANCE_ID = ? AND p.STATUS NOT IN " + PairStatus.currentInSql()
            + "     ) s) STALE_PAIRS";

    private final JdbcClient jdbc;

    public HistoryQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Queries over the repository that {@code dataSource} reaches (a run's pool, for instance). */
    public static HistoryQueries on(DataSource dataSource) {
        return new HistoryQueries(JdbcClient.create(dataSource));
    }

    /** The names of the jobs the repository has executions of, sorted. */
    public List<String> jobs() {
        return jdbc.sql("SELECT DISTINCT JOB_NAME FROM BATCH_JOB_INSTANCE ORDER BY JOB_NAME").query(String.class).list();
    }

    /** Whether the job has run at all: its first instance found, not its instances counted. */
    public boolean hasJob(String job) {
        return !jdbc.sql("SELECT 1 FROM BATCH_JOB_INSTANCE WHERE JOB_NAME = ? FETCH FIRST 1 ROW ONLY").param(job)
                .query(Integer.class).list().isEmpty();
    }

    /**
     * Executions, newest first.
     *
     * @param job   only this job's, or all when null
     * @param since only those created at or after it, or all when null
     */
    public List<Execution> executions(String job, Instant since, int limit) {
        // The newest executions are picked first, by their IDs alone: the restart columns' subqueries then run for the
        // rows shown, not for every execution of the job.
        StringBuilder newest = new StringBuilder("SELECT t.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION t ");
        Map<String, Object> params = new HashMap<>();
        if (job != null) {
            newest.append("JOIN BATCH_JOB_INSTANCE ti ON ti.JOB_INSTANCE_ID = t.JOB_INSTANCE_ID AND ti.JOB_NAME = :job ");
            params.put("job", job);
        }
        if (since != null) {
            newest.append("WHERE t.CREATE_TIME >= :since ");
            params.put("since", Timestamp.from(since));
        }
        newest.append("ORDER BY t.JOB_EXECUTION_ID DESC FETCH FIRST ").append(limit).append(" ROWS ONLY");
        String sql = EXECUTION_COLUMNS + "JOIN (" + newest + ") NEWEST ON NEWEST.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID "
                + "ORDER BY e.JOB_EXECUTION_ID DESC";
        return withCounts(jdbc.sql(sql).params(params).query(HistoryQueries::executionRow).list());
    }

    public Optional<Execution> execution(long executionId) {
        List<ExecutionRow> rows = jdbc.sql(EXECUTION_COLUMNS + "WHERE e.JOB_EXECUTION_ID = ?").param(executionId)
                .query(HistoryQueries::executionRow).list();
        return withCounts(rows).stream().findFirst();
    }

    /** An execution's row before its counts are added. */
    private record ExecutionRow(long id, String job, long instanceId, String status, Instant start, Instant end,
            Long restartOf, boolean latest, String exitMessage) {
    }

    private static ExecutionRow executionRow(ResultSet rs, int row) throws SQLException {
        long id = rs.getLong("JOB_EXECUTION_ID");
        long restartOf = rs.getLong("RESTART_OF");
        Long previous = rs.wasNull() ? null : restartOf;
        String message = rs.getString("EXIT_MESSAGE");
        return new ExecutionRow(id, rs.getString("JOB_NAME"), rs.getLong("JOB_INSTANCE_ID"),
                RunStatus.of(rs.getString("STATUS"), rs.getString("EXIT_CODE")), instant(rs, "START_TIME"),
                instant(rs, "END_TIME"), previous, rs.getLong("LATEST") == id,
                message == null || message.isBlank() ? null : message);
    }

    private List<Execution> withCounts(List<ExecutionRow> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Long> ids = rows.stream().map(ExecutionRow::id).toList();
        Map<Long, Map<String, Integer>> counts = new HashMap<>();
        jdbc.sql("SELECT JOB_EXECUTION_ID, STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_EXECUTION_ID IN (:ids) "
                        + "GROUP BY JOB_EXECUTION_ID, STATUS")
                .param("ids", ids)
                .query((ResultSet rs) -> {
                    counts.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getInt(3));
                });
        Map<Long, List<String>> workers = new HashMap<>();
        jdbc.sql("SELECT DISTINCT JOB_EXECUTION_ID, WORKER FROM CAPSYNC_PAIR WHERE JOB_EXECUTION_ID IN (:ids) "
                        + "AND WORKER IS NOT NULL ORDER BY JOB_EXECUTION_ID, WORKER")
                .param("ids", ids)
                .query((ResultSet rs) -> {
                    workers.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        // A completed run has nothing left by definition; only the latest execution of an unfinished run is asked.
        List<Long> openInstances = rows.stream().filter(r -> r.latest() && !r.status().startsWith("COMPLETED"))
                .map(ExecutionRow::instanceId).distinct().toList();
        Map<Long, Integer> remaining = new HashMap<>();
        if (!openInstances.isEmpty()) {
            jdbc.sql("SELECT JOB_INSTANCE_ID, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID IN (:instances) "
                            + "AND STATUS IN " + PairStatus.unfinishedInSql() + " GROUP BY JOB_INSTANCE_ID")
                    .param("instances", openInstances)
                    .query((ResultSet rs) -> {
                        remaining.put(rs.getLong(1), rs.getInt(2));
                    });
        }
        List<Execution> executions = new ArrayList<>(rows.size());
        for (ExecutionRow r : rows) {
            Map<String, Integer> c = counts.getOrDefault(r.id(), Map.of());
            executions.add(new Execution(r.id(), r.job(), r.instanceId(), r.status(), r.start(), r.end(),
                    c.getOrDefault("COPIED", 0), c.getOrDefault("UNCHANGED", 0), c.getOrDefault("SKIPPED", 0),
                    c.getOrDefault("FAILED", 0), r.latest() ? remaining.getOrDefault(r.instanceId(), 0) : 0,
                    r.restartOf(), r.exitMessage(), workers.getOrDefault(r.id(), List.of())));
        }
        return executions;
    }

    /**
     * The (CAP, file) pairs one execution handled (made at least one attempt at), by CAP and file. A resuming execution
     * lists only the pairs it handled itself.
     */
    public List<PairOutcome> handledBy(long executionId, boolean withAttempts) {
        List<PairOutcome> pairs = jdbc.sql("""
                SELECT p.PAIR_ID, p.CAP_NAME, p.FILE_NAME, p.STATUS, p.JOB_EXECUTION_ID, p.BYTES, p.SHA256, p.WORKER,
                       a.LAST_NO, a.TOOK, a.FIRST_STARTED, l.STARTED AS LAST_STARTED, l.DURATION_MS AS LAST_TOOK,
                       l.RESULT AS LAST_RESULT, l.REASON AS LAST_REASON
                FROM (SELECT PAIR_ID, MAX(ATTEMPT) AS LAST_NO, SUM(DURATION_MS) AS TOOK, MIN(STARTED) AS FIRST_STARTED
                      FROM CAPSYNC_ATTEMPT WHERE JOB_EXECUTION_ID = :execution GROUP BY PAIR_ID) a
                JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID
                JOIN CAPSYNC_ATTEMPT l ON l.PAIR_ID = a.PAIR_ID AND l.ATTEMPT = a.LAST_NO
                ORDER BY p.CAP_NAME, p.FILE_NAME
                """)
                .param("execution", executionId)
                .query((rs, row) -> {
                    boolean finishedHere = rs.getLong("JOB_EXECUTION_ID") == executionId;
                    // A pair whose row a later execution took over was left unfinished here: in use, to be retried.
                    String status = finishedHere ? rs.getString("STATUS") : "RETRY";
                    String result = rs.getString("LAST_RESULT");
                    boolean success = PairStatus.current(result);
                    long bytes = rs.getLong("BYTES");
                    Long written = finishedHere && "COPIED".equals(status) && !rs.wasNull() ? bytes : null;
                    Instant lastStarted = instant(rs, "LAST_STARTED");
                    return new PairOutcome(rs.getLong("PAIR_ID"), rs.getString("CAP_NAME"), rs.getString("FILE_NAME"),
                            status, rs.getInt("LAST_NO"), written, finishedHere && success ? rs.getString("SHA256") : null,
                            rs.getLong("TOOK"), instant(rs, "FIRST_STARTED"),
                            lastStarted == null ? null : lastStarted.plusMillis(rs.getLong("LAST_TOOK")),
                            success ? null : rs.getString("LAST_REASON"), List.of(),
                            finishedHere ? rs.getString("WORKER") : null);
                })
                .list();
        if (!withAttempts || pairs.isEmpty()) {
            return pairs;
        }
        Map<Long, List<PairOutcome.Attempt>> log = new HashMap<>();
        jdbc.sql("SELECT PAIR_ID, ATTEMPT, STARTED, DURATION_MS, RESULT, REASON FROM CAPSYNC_ATTEMPT "
                        + "WHERE JOB_EXECUTION_ID = ? ORDER BY PAIR_ID, ATTEMPT")
                .param(executionId)
                .query((ResultSet rs) -> {
                    log.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new PairOutcome.Attempt(rs.getInt(2),
                            instant(rs, "STARTED"), rs.getLong(4), rs.getString(5), rs.getString(6)));
                });
        return pairs.stream().map(p -> p.withAttemptLog(log.getOrDefault(p.pairId(), List.of()))).toList();
    }

    /**
     * The state of every CAP (and file) of the job's latest planned run: the CAP list as the job last used it. A CAP
     * whose latest outcome is a success of that run's snapshot is current and costs nothing more; only the others
     * (and those the latest run has not reached yet) are looked up in earlier runs, through the (job, CAP, file) index.
     */
    public List<CapState> caps(String job) {
        Long latest = latestPlannedInstance(job);
        if (latest == null) {
            return List.of();
        }
        Map<String, String> snapshot = new HashMap<>();
        jdbc.sql("SELECT FILE_NAME, SHA256 FROM CAPSYNC_SNAPSHOT WHERE JOB_INSTANCE_ID = ?").param(latest)
                .query((ResultSet rs) -> {
                    snapshot.put(rs.getString(1), rs.getString(2));
                });
        List<PairRow> rows = jdbc.sql("SELECT " + PairRow.COLUMNS + " FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                + "ORDER BY CAP_NAME, FILE_NAME").param(latest).query(PairRow::of).list();
        Map<Long, RunStart> runStarts = new HashMap<>();
        List<CapState> states = new ArrayList<>(rows.size());
        for (PairRow row : rows) {
            String source = snapshot.get(row.file());
            if (row.success() && row.sha256() != null && row.sha256().equals(source)) {
                states.add(new CapState(row.cap(), row.file(), row.path(), true, row.status(), row.lastAttempt(),
                        row.lastAttempt(), row.sha256(), source, null, null, 0, null));
            } else {
                states.add(lookBack(job, row, source, runStarts));
            }
        }
        return states;
    }

    /**
     * The job's newest instance that has planned its pairs. Walks the job's instances newest first and probes each
     * through the restart-cursor index: no index of CAPSYNC_PAIR leads with the job and its runs, so MAX over the
     * job's pairs would read every one of them.
     */
    Long latestPlannedInstance(String job) {
        List<Long> instances = jdbc.sql("SELECT JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE WHERE JOB_NAME = ? "
                + "ORDER BY JOB_INSTANCE_ID DESC").param(job).query(Long.class).list();
        for (Long instance : instances) {
            boolean planned = !jdbc.sql("SELECT 1 FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? FETCH FIRST 1 ROW ONLY")
                    .param(instance).query(Integer.class).list().isEmpty();
            if (planned) {
                return instance;
            }
        }
        return null;
    }

    private CapState lookBack(String job, PairRow row, String source, Map<Long, RunStart> runStarts) {
        PairRow known = row.status().equals("PENDING") ? lastKnown(job, row) : row;
        PairRow success = known != null && known.success() ? known : lastSuccess(job, row);
        boolean current = known != null && known.success() && known.sha256() != null && known.sha256().equals(source);
        Instant lastAttempt = row.lastAttempt() != null ? row.lastAttempt() : known == null ? null : known.lastAttempt();
        if (current) {
            return new CapState(row.cap(), row.file(), row.path(), true, known.status(), lastAttempt,
                    success.lastAttempt(), success.sha256(), source, null, null, 0, null);
        }
        long after = success == null ? 0 : success.instanceId();
        Long firstBehind = jdbc.sql(FIRST_RUN_AFTER).params(job, row.cap(), row.file(), after).query(Long.class)
                .optional().orElse(row.instanceId());
        long missed = jdbc.sql("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_NAME = ? AND CAP_NAME = ? AND FILE_NAME = ? "
                        + "AND JOB_INSTANCE_ID > ?")
                .params(job, row.cap(), row.file(), after).query(Long.class).single();
        if (row.status().equals("PENDING")) {
            missed--; // the latest run has not tried it yet
        }
        RunStart stale = runStarts.computeIfAbsent(firstBehind, this::runStart);
        return new CapState(row.cap(), row.file(), row.path(), false, known == null ? "PENDING" : known.status(),
                lastAttempt, success == null ? null : success.lastAttempt(), success == null ? null : success.sha256(),
                source, stale.start(), stale.executionId(), (int) Math.max(0, missed),
                known == null || known.success() ? null : known.error());
    }

    private PairRow lastKnown(String job, PairRow row) {
        return jdbc.sql(LAST_KNOWN).params(job, row.cap(), row.file()).query(PairRow::of).optional().orElse(null);
    }

    private PairRow lastSuccess(String job, PairRow row) {
        return jdbc.sql(LAST_SUCCESS).params(job, row.cap(), row.file()).query(PairRow::of).optional().orElse(null);
    }

    private record RunStart(Long executionId, Instant start) {
    }

    private RunStart runStart(long instanceId) {
        return jdbc.sql("SELECT JOB_EXECUTION_ID, START_TIME FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID = ? "
                        + "ORDER BY JOB_EXECUTION_ID FETCH FIRST 1 ROW ONLY")
                .param(instanceId)
                .query((rs, n) -> new RunStart(rs.getLong(1), instant(rs, "START_TIME")))
                .optional().orElse(new RunStart(null, null));
    }

    /**
     * Where the job's CAPs stand after its latest planned run, in figures (for metrics and hooks); empty if no run of
     * the job has planned its pairs yet.
     */
    public Optional<JobStanding> standing(String job) {
        Long instance = latestPlannedInstance(job);
        if (instance == null) {
            return Optional.empty();
        }
        Map<PairStatus, Integer> pairs = new EnumMap<>(PairStatus.class);
        for (PairStatus status : PairStatus.values()) {
            pairs.put(status, 0);
        }
        jdbc.sql("SELECT STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? GROUP BY STATUS").param(instance)
                .query((ResultSet rs) -> {
                    pairs.put(PairStatus.valueOf(rs.getString(1)), rs.getInt(2));
                });
        record StaleCount(int count, Instant since) {
        }
        StaleCount stale = jdbc.sql(STALE_SINCE).param(instance)
                .query((rs, n) -> new StaleCount(rs.getInt(1), instant(rs, 2))).single();
        List<String> names = jdbc.sql("SELECT DISTINCT CAP_NAME FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                        + "AND STATUS NOT IN " + PairStatus.currentInSql() + " ORDER BY CAP_NAME FETCH FIRST "
                        + STALE_NAMES + " ROWS ONLY")
                .param(instance).query(String.class).list();
        return Optional.of(new JobStanding(instance, pairs, stale.count(), names, stale.since()));
    }

    /** How many attempts of the job's latest planned run found {@code cap}'s file in use. */
    public int inUseAttempts(String job, String cap) {
        Long instance = latestPlannedInstance(job);
        if (instance == null) {
            return 0;
        }
        return jdbc.sql("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID "
                        + "WHERE p.JOB_INSTANCE_ID = ? AND p.CAP_NAME = ? AND a.RESULT = 'IN_USE'")
                .params(instance, cap).query(Integer.class).single();
    }

    /** One CAPSYNC_PAIR row as the CAP state needs it. */
    private record PairRow(long instanceId, String cap, String path, String file, String status, String sha256,
            Instant lastAttempt, String error) {

        static final String COLUMNS = "JOB_INSTANCE_ID, CAP_NAME, CAP_PATH, FILE_NAME, STATUS, SHA256, LAST_ATTEMPT, LAST_ERROR";

        static PairRow of(ResultSet rs, int row) throws SQLException {
            return new PairRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), instant(rs, "LAST_ATTEMPT"), rs.getString(8));
        }

        boolean success() {
            return PairStatus.current(status);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
