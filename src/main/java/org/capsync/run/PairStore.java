package org.capsync.run;

import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.capsync.copy.FileDigest;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetFile;
import org.capsync.definition.Cap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * capsync's tables: the snapshot of each job instance and one row per (CAP, file), which is both the outcome record and
 * the restart cursor. Writes are batched: the per-CAP path must cost little next to the copy itself.
 */
public class PairStore {

    static final String PAIR_COLUMNS = "PAIR_ID, CAP_NAME, CAP_PATH, TARGET_FOLDER, FILE_NAME, ATTEMPTS";

    private final JdbcTemplate jdbc;

    public PairStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public static RowMapper<Pair> pairMapper(String jobName) {
        return (rs, row) -> new Pair(rs.getLong("PAIR_ID"),
                TargetFile.of(rs.getString("CAP_NAME"), rs.getString("CAP_PATH"), rs.getString("TARGET_FOLDER"),
                        rs.getString("FILE_NAME"), jobName),
                rs.getInt("ATTEMPTS"));
    }

    public Optional<Snapshot> snapshot(long instanceId) {
        Map<String, SourceFile> files = new LinkedHashMap<>();
        jdbc.query("SELECT FILE_NAME, BYTES, SHA256, LAST_MODIFIED, STORED_AT FROM CAPSYNC_SNAPSHOT WHERE JOB_INSTANCE_ID = ? ORDER BY FILE_NAME",
                rs -> {
                    files.put(rs.getString(1), new SourceFile(rs.getString(1), java.nio.file.Path.of(rs.getString(5)),
                            new FileDigest(rs.getLong(2), rs.getString(3)),
                            java.nio.file.attribute.FileTime.from(rs.getTimestamp(4).toInstant())));
                }, instanceId);
        return files.isEmpty() ? Optional.empty() : Optional.of(new Snapshot(files));
    }

    public void saveSnapshot(long instanceId, Snapshot snapshot) {
        List<Object[]> rows = new ArrayList<>();
        for (SourceFile file : snapshot.files().values()) {
            rows.add(new Object[] {instanceId, file.name(), file.digest().size(), file.digest().sha256(),
                    Timestamp.from(file.lastModified().toInstant()), file.path().toString()});
        }
        jdbc.batchUpdate("INSERT INTO CAPSYNC_SNAPSHOT (JOB_INSTANCE_ID, FILE_NAME, BYTES, SHA256, LAST_MODIFIED, STORED_AT) VALUES (?, ?, ?, ?, ?, ?)", rows);
    }

    public boolean planned(long instanceId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ?", Integer.class, instanceId);
        return n != null && n > 0;
    }

    /** One PENDING row per (enabled CAP, file), spread round-robin over {@code partitions}. */
    public int plan(long instanceId, String jobName, List<Cap> caps, String folder, List<String> fileNames, int partitions) {
        List<Object[]> rows = new ArrayList<>(caps.size() * fileNames.size());
        int i = 0;
        for (Cap cap : caps) {
            for (String fileName : fileNames) {
                rows.add(new Object[] {instanceId, jobName, i++ % partitions, cap.name(), cap.path(), folder, fileName,
                        PairStatus.PENDING.name()});
            }
        }
        jdbc.batchUpdate("INSERT INTO CAPSYNC_PAIR (JOB_INSTANCE_ID, JOB_NAME, PARTITION_NO, CAP_NAME, CAP_PATH, TARGET_FOLDER, FILE_NAME, STATUS, ATTEMPTS) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)", rows);
        return rows.size();
    }

    public int partitions(long instanceId) {
        Integer n = jdbc.queryForObject("SELECT MAX(PARTITION_NO) + 1 FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ?", Integer.class, instanceId);
        return n == null ? 0 : n;
    }

    public void record(List<? extends PairAttempt> attempts, long executionId) {
        if (attempts.isEmpty()) {
            return;
        }
        List<Object[]> pairs = new ArrayList<>(attempts.size());
        List<Object[]> rows = new ArrayList<>(attempts.size());
        for (PairAttempt a : attempts) {
            Timestamp started = Timestamp.from(a.started());
            Timestamp ended = Timestamp.from(a.started().plusMillis(a.outcome().millis()));
            pairs.add(new Object[] {a.status().name(), a.attempt(), a.outcome().bytes(), a.outcome().sha256(),
                    truncate(a.outcome().reason()), started, ended,
                    a.nextAttempt() == null ? null : Timestamp.from(a.nextAttempt()),
                    a.outcome().millis(), executionId, a.pair().id()});
            rows.add(new Object[] {a.pair().id(), a.attempt(), executionId, started, a.outcome().millis(),
                    a.outcome().kind().name(), truncate(a.outcome().reason())});
        }
        jdbc.batchUpdate("UPDATE CAPSYNC_PAIR SET STATUS = ?, ATTEMPTS = ?, BYTES = ?, SHA256 = ?, LAST_ERROR = ?, "
                + "FIRST_ATTEMPT = COALESCE(FIRST_ATTEMPT, ?), LAST_ATTEMPT = ?, NEXT_ATTEMPT = ?, "
                + "DURATION_MS = COALESCE(DURATION_MS, 0) + ?, JOB_EXECUTION_ID = ? WHERE PAIR_ID = ?", pairs);
        jdbc.batchUpdate("INSERT INTO CAPSYNC_ATTEMPT (PAIR_ID, ATTEMPT, JOB_EXECUTION_ID, STARTED, DURATION_MS, RESULT, REASON) VALUES (?, ?, ?, ?, ?, ?, ?)", rows);
    }

    public List<Pair> dueRetries(long instanceId, String jobName, Instant now, int limit) {
        return jdbc.query("SELECT " + PAIR_COLUMNS + " FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND STATUS = 'RETRY' "
                + "AND NEXT_ATTEMPT <= ? ORDER BY NEXT_ATTEMPT, PAIR_ID FETCH FIRST " + limit + " ROWS ONLY",
                pairMapper(jobName), instanceId, Timestamp.from(now));
    }

    public Optional<Instant> nextRetry(long instanceId) {
        Timestamp next = jdbc.queryForObject("SELECT MIN(NEXT_ATTEMPT) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND STATUS = 'RETRY'",
                Timestamp.class, instanceId);
        return Optional.ofNullable(next).map(Timestamp::toInstant);
    }

    /** Final outcomes that this execution itself reached (a restart does not count its predecessor's work). */
    public Map<PairStatus, Integer> finishedBy(long executionId) {
        Map<PairStatus, Integer> counts = new EnumMap<>(PairStatus.class);
        jdbc.query("SELECT STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_EXECUTION_ID = ? GROUP BY STATUS",
                (ResultSet rs) -> {
                    counts.put(PairStatus.valueOf(rs.getString(1)), rs.getInt(2));
                }, executionId);
        return counts;
    }

    public int notCurrent(long instanceId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND STATUS NOT IN ('COPIED', 'UNCHANGED')",
                Integer.class, instanceId);
        return n == null ? 0 : n;
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= 2000 ? reason : reason.substring(0, 1997) + "...";
    }
}
