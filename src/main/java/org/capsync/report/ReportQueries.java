package org.capsync.report;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.capsync.report.RunReport.Attempt;
import org.capsync.report.RunReport.CapRow;
import org.capsync.report.RunReport.Cell;
import org.capsync.report.RunReport.FileCell;
import org.capsync.report.RunReport.Run;
import org.capsync.report.RunReport.Stale;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads a {@link RunReport} from the job repository in plain SQL over Spring Batch's BATCH_* tables and capsync's
 * CAPSYNC_PAIR and CAPSYNC_ATTEMPT: four queries, bounded by the runs shown (the pairs and attempts of their job
 * instances) and, for "stale since", by the job's (CAP, file) index. Read-only.
 */
public final class ReportQueries {

    private final JdbcClient jdbc;
    private final Clock clock;

    public ReportQueries(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public boolean hasRuns(String job) {
        return jdbc.sql("SELECT COUNT(*) FROM BATCH_JOB_INSTANCE WHERE JOB_NAME = ?").param(job).query(Long.class).single() > 0;
    }

    /** The report on the job's last {@code limit} executions. */
    public RunReport report(String job, int limit) {
        List<RunRow> runs = runs(job, limit);
        List<Long> instances = runs.stream().map(RunRow::instanceId).distinct().toList();
        Map<Long, List<PairRow>> pairsByInstance = new HashMap<>();
        Map<Long, List<AttemptRow>> attemptsByPair = new HashMap<>();
        if (!instances.isEmpty()) {
            jdbc.sql("SELECT PAIR_ID, JOB_INSTANCE_ID, CAP_NAME, FILE_NAME, STATUS, JOB_EXECUTION_ID, LAST_ERROR "
                            + "FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID IN (:instances)")
                    .param("instances", instances)
                    .query((ResultSet rs) -> {
                        PairRow row = new PairRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), nullableLong(rs, 6), rs.getString(7));
                        pairsByInstance.computeIfAbsent(row.instanceId(), k -> new ArrayList<>()).add(row);
                    });
            jdbc.sql("SELECT a.PAIR_ID, a.ATTEMPT, a.JOB_EXECUTION_ID, a.STARTED, a.DURATION_MS, a.RESULT, a.REASON "
                            + "FROM CAPSYNC_ATTEMPT a JOIN CAPSYNC_PAIR p ON p.PAIR_ID = a.PAIR_ID "
                            + "WHERE p.JOB_INSTANCE_ID IN (:instances) ORDER BY a.PAIR_ID, a.ATTEMPT")
                    .param("instances", instances)
                    .query((ResultSet rs) -> {
                        attemptsByPair.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new AttemptRow(
                                rs.getLong(3), new Attempt(rs.getInt(2), instant(rs.getTimestamp(4)), rs.getLong(5),
                                        rs.getString(6), rs.getString(7))));
                    });
        }
        Map<String, List<Stale>> stale = stale(job);

        TreeSet<String> capNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        pairsByInstance.values().forEach(rows -> rows.forEach(r -> capNames.add(r.cap())));
        capNames.addAll(stale.keySet());
        List<Run> columns = new ArrayList<>();
        Map<String, List<Cell>> cellsByCap = new LinkedHashMap<>();
        capNames.forEach(cap -> cellsByCap.put(cap, new ArrayList<>()));
        for (RunRow run : runs) {
            Map<String, List<FileCell>> files = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (PairRow pair : pairsByInstance.getOrDefault(run.instanceId(), List.of())) {
                files.computeIfAbsent(pair.cap(), k -> new ArrayList<>())
                        .add(fileCell(run, pair, attemptsByPair.getOrDefault(pair.id(), List.of())));
            }
            Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
            for (String cap : capNames) {
                List<FileCell> capFiles = files.getOrDefault(cap, List.of());
                Outcome outcome = capFiles.stream().map(FileCell::outcome).filter(o -> o != Outcome.NOT_RUN)
                        .reduce(Outcome::worse).orElse(Outcome.NOT_RUN);
                cellsByCap.get(cap).add(new Cell(run.executionId(), outcome, capFiles));
                capFiles.forEach(f -> counts.merge(f.outcome(), 1, Integer::sum));
            }
            columns.add(new Run(run.executionId(), run.instanceId(), run.restartOf(), run.start(), run.end(),
                    run.status(), counts));
        }
        List<CapRow> rows = new ArrayList<>();
        cellsByCap.forEach((cap, cells) -> rows.add(new CapRow(cap, stale.getOrDefault(cap, List.of()), cells)));
        // Stale CAPs on top, the longest stale first; then the others by name.
        rows.sort(Comparator.comparing((CapRow r) -> !r.isStale())
                .thenComparing(CapRow::staleSince, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(CapRow::cap, String.CASE_INSENSITIVE_ORDER));
        return new RunReport(job, clock.instant(), columns, rows);
    }

    /** What {@code run} did for one pair of its instance. */
    private static FileCell fileCell(RunRow run, PairRow pair, List<AttemptRow> attempts) {
        List<Attempt> mine = attempts.stream().filter(a -> a.executionId() == run.executionId()).map(AttemptRow::attempt).toList();
        boolean finishedHere = pair.executionId() != null && pair.executionId() == run.executionId();
        if (finishedHere && !pair.status().equals("PENDING")) {
            Outcome outcome = Outcome.ofStatus(pair.status());
            return new FileCell(pair.file(), outcome, outcome == Outcome.UNFINISHED ? lastReason(mine) : pair.lastError(), mine);
        }
        if (!mine.isEmpty()) {
            return new FileCell(pair.file(), Outcome.UNFINISHED, lastReason(mine), mine);
        }
        String why = pair.status().equals("PENDING") || pair.executionId() == null
                ? "not reached by this execution"
                : "finished by execution " + pair.executionId() + " (" + pair.status().toLowerCase() + ")";
        return new FileCell(pair.file(), Outcome.NOT_RUN, why, mine);
    }

    private static String lastReason(List<Attempt> attempts) {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).reason();
    }

    private List<RunRow> runs(String job, int limit) {
        List<RunRow> newestFirst = jdbc.sql("SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID, e.START_TIME, e.END_TIME, "
                        + "e.STATUS, e.EXIT_CODE, (SELECT MAX(p.JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION p "
                        + "  WHERE p.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID AND p.JOB_EXECUTION_ID < e.JOB_EXECUTION_ID) "
                        + "FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID "
                        + "WHERE i.JOB_NAME = ? ORDER BY e.JOB_EXECUTION_ID DESC FETCH FIRST " + limit + " ROWS ONLY")
                .param(job)
                .query((rs, n) -> new RunRow(rs.getLong(1), rs.getLong(2), nullableLong(rs, 7), instant(rs.getTimestamp(3)),
                        instant(rs.getTimestamp(4)),
                        "COMPLETED".equals(rs.getString(5)) ? rs.getString(6) : rs.getString(5)))
                .list();
        List<RunRow> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /**
     * The (CAP, file) pairs of the job's latest planned run whose outcomes since their last success (COPIED or
     * UNCHANGED) are only SKIPPED or FAILED: stale now, since the first of those runs.
     */
    private Map<String, List<Stale>> stale(String job) {
        record Behind(String cap, String file, long instanceId, String error) {
        }
        List<Behind> behind = jdbc.sql("""
                SELECT p.CAP_NAME, p.FILE_NAME, p.JOB_INSTANCE_ID, p.LAST_ERROR
                FROM CAPSYNC_PAIR p
                JOIN CAPSYNC_PAIR latest ON latest.JOB_NAME = p.JOB_NAME AND latest.CAP_NAME = p.CAP_NAME
                     AND latest.FILE_NAME = p.FILE_NAME
                     AND latest.JOB_INSTANCE_ID = (SELECT MAX(JOB_INSTANCE_ID) FROM CAPSYNC_PAIR WHERE JOB_NAME = :job)
                WHERE p.JOB_NAME = :job AND p.STATUS IN ('SKIPPED', 'FAILED')
                  AND p.JOB_INSTANCE_ID > COALESCE((SELECT MAX(s.JOB_INSTANCE_ID) FROM CAPSYNC_PAIR s
                        WHERE s.JOB_NAME = p.JOB_NAME AND s.CAP_NAME = p.CAP_NAME AND s.FILE_NAME = p.FILE_NAME
                          AND s.STATUS IN ('COPIED', 'UNCHANGED')), 0)
                ORDER BY p.CAP_NAME, p.FILE_NAME, p.JOB_INSTANCE_ID
                """)
                .param("job", job)
                .query((rs, n) -> new Behind(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                .list();
        if (behind.isEmpty()) {
            return Map.of();
        }
        record FirstRun(long executionId, Instant start) {
        }
        Map<Long, FirstRun> firstRuns = new HashMap<>();
        jdbc.sql("SELECT JOB_INSTANCE_ID, MIN(JOB_EXECUTION_ID), MIN(START_TIME) FROM BATCH_JOB_EXECUTION "
                        + "WHERE JOB_INSTANCE_ID IN (:instances) GROUP BY JOB_INSTANCE_ID")
                .param("instances", behind.stream().map(Behind::instanceId).distinct().toList())
                .query((ResultSet rs) -> {
                    firstRuns.put(rs.getLong(1), new FirstRun(rs.getLong(2), instant(rs.getTimestamp(3))));
                });
        Map<String, List<Stale>> stale = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, List<Behind>> byPair = new LinkedHashMap<>();
        behind.forEach(b -> byPair.computeIfAbsent(b.cap() + "\u0000" + b.file(), k -> new ArrayList<>()).add(b));
        for (List<Behind> runs : byPair.values()) {
            Behind first = runs.get(0);
            Behind last = runs.get(runs.size() - 1);
            FirstRun since = firstRuns.getOrDefault(first.instanceId(), new FirstRun(0, null));
            stale.computeIfAbsent(first.cap(), k -> new ArrayList<>()).add(new Stale(first.file(), since.start(),
                    since.executionId(), runs.size(), last.error()));
        }
        return stale;
    }

    private record RunRow(long executionId, long instanceId, Long restartOf, Instant start, Instant end, String status) {
    }

    private record PairRow(long id, long instanceId, String cap, String file, String status, Long executionId,
            String lastError) {
    }

    private record AttemptRow(long executionId, Attempt attempt) {
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
