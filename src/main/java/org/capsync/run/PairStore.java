package org.capsync.run;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.capsync.copy.FileDigest;
import org.capsync.copy.SourceFile;
import org.capsync.copy.TargetFile;
import org.capsync.definition.Cap;
import org.capsync.definition.FileSystemReason;
import org.capsync.repository.PairStatus;
import org.capsync.repository.ProcessName;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * capsync's tables: the snapshot of each job instance and one row per (CAP, file), which is both the outcome record and
 * the restart cursor. Writes are batched: the per-CAP path must cost little next to the copy itself.
 */
public class PairStore {

    static final String PAIR_COLUMNS = "PAIR_ID, CAP_NAME, CAP_PATH, TARGET_FOLDER, FILE_NAME, ATTEMPTS";

    private final JdbcTemplate jdbc;
    /** This process ({@link ProcessName}), recorded with every outcome it makes. */
    private final String worker;

    public PairStore(JdbcTemplate jdbc) {
        this(jdbc, ProcessName.current());
    }

    public PairStore(JdbcTemplate jdbc, String worker) {
        this.jdbc = jdbc;
        this.worker = worker;
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
        saveSnapshot(instanceId, snapshot, false);
    }

    /** With {@code withContent}, the bytes too: the workers of a distributed job read them from here. */
    void saveSnapshot(long instanceId, Snapshot snapshot, boolean withContent) {
        List<Object[]> rows = new ArrayList<>();
        for (SourceFile file : snapshot.files().values()) {
            byte[] content = null;
            if (withContent) {
                try {
                    content = java.nio.file.Files.readAllBytes(file.path());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot read the snapshot of " + file.name() + ": "
                            + FileSystemReason.of(e, file.path()), e);
                }
            }
            rows.add(new Object[] {instanceId, file.name(), file.digest().size(), file.digest().sha256(),
                    Timestamp.from(file.lastModified().toInstant()), file.path().toString(), content});
        }
        jdbc.batchUpdate("INSERT INTO CAPSYNC_SNAPSHOT (JOB_INSTANCE_ID, FILE_NAME, BYTES, SHA256, LAST_MODIFIED, STORED_AT, CONTENT) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows, new int[] {Types.BIGINT, Types.VARCHAR, Types.BIGINT, Types.VARCHAR, Types.TIMESTAMP, Types.VARCHAR, Types.VARBINARY});
    }

    /** A snapshot file's bytes as the site server stored them, or null when the run kept them to itself. */
    byte[] snapshotContent(long instanceId, String fileName) {
        List<byte[]> content = jdbc.query("SELECT CONTENT FROM CAPSYNC_SNAPSHOT WHERE JOB_INSTANCE_ID = ? AND FILE_NAME = ?",
                (rs, row) -> rs.getBytes(1), instanceId, fileName);
        return content.isEmpty() ? null : content.get(0);
    }

    public boolean planned(long instanceId) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ?", Integer.class, instanceId);
        return n != null && n > 0;
    }

    /** One PENDING row per (enabled CAP, file), spread round-robin over {@code partitions}. */
    public int plan(long instanceId, String jobName, List<Cap> caps, String folder, List<String> fileNames, int partitions) {
        return plan(instanceId, jobName, caps, folder, fileNames, partitions, 0);
    }

    /**
     * As above, numbering the partitions from {@code firstPartition}: a job on workers plans each region's CAPs into
     * partitions of their own, so that a partition goes to the workers of one region only.
     */
    int plan(long instanceId, String jobName, List<Cap> caps, String folder, List<String> fileNames, int partitions,
            int firstPartition) {
        int files = fileNames.size();
        int rows = caps.size() * files;
        // Typed setters: JdbcTemplate's Object[] rows look up each parameter's type, which cost more than the insert.
        jdbc.batchUpdate("INSERT INTO CAPSYNC_PAIR (JOB_INSTANCE_ID, JOB_NAME, PARTITION_NO, CAP_NAME, CAP_PATH, TARGET_FOLDER, FILE_NAME, REGION, STATUS, ATTEMPTS) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0)",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Cap cap = caps.get(i / files);
                        ps.setLong(1, instanceId);
                        ps.setString(2, jobName);
                        ps.setInt(3, firstPartition + i % partitions);
                        ps.setString(4, cap.name());
                        ps.setString(5, cap.path());
                        ps.setString(6, folder);
                        ps.setString(7, fileNames.get(i % files));
                        ps.setString(8, cap.region());
                    }

                    @Override
                    public int getBatchSize() {
                        return rows;
                    }
                });
        return rows;
    }

    public int partitions(long instanceId) {
        Integer n = jdbc.queryForObject("SELECT MAX(PARTITION_NO) + 1 FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ?", Integer.class, instanceId);
        return n == null ? 0 : n;
    }

    /** The region of each planned partition (a partition's CAPs are all of one region). */
    Map<Integer, String> partitionRegions(long instanceId) {
        Map<Integer, String> regions = new java.util.TreeMap<>();
        jdbc.query("SELECT PARTITION_NO, MIN(REGION) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? GROUP BY PARTITION_NO",
                (ResultSet rs) -> {
                    regions.put(rs.getInt(1), rs.getString(2) == null ? org.capsync.definition.Cap.DEFAULT_REGION : rs.getString(2));
                }, instanceId);
        return regions;
    }

    /**
     * A page of a partition's PENDING pairs after {@code afterPairId}. Ordered by the whole cursor index, so that H2 reads
     * the page straight off it: ordered by PAIR_ID alone, it read and sorted every remaining row of the partition for
     * each page, which made a run quadratic in its CAPs.
     */
    public List<Pair> pendingPage(long instanceId, int partition, long afterPairId, int limit, String jobName) {
        return jdbc.query("SELECT " + PAIR_COLUMNS + " FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND PARTITION_NO = ? "
                + "AND STATUS = 'PENDING' AND PAIR_ID > ? ORDER BY JOB_INSTANCE_ID, PARTITION_NO, STATUS, PAIR_ID "
                + "FETCH FIRST " + limit + " ROWS ONLY", pairMapper(jobName), instanceId, partition, afterPairId);
    }

    /** A chunk's outcomes and attempts, in two batched statements with typed parameters. */
    public void record(List<? extends PairAttempt> attempts, long executionId) {
        if (attempts.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("UPDATE CAPSYNC_PAIR SET STATUS = ?, ATTEMPTS = ?, BYTES = ?, SHA256 = ?, LAST_ERROR = ?, "
                + "FIRST_ATTEMPT = COALESCE(FIRST_ATTEMPT, ?), LAST_ATTEMPT = ?, NEXT_ATTEMPT = ?, "
                + "DURATION_MS = COALESCE(DURATION_MS, 0) + ?, JOB_EXECUTION_ID = ?, WORKER = ? WHERE PAIR_ID = ?",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        PairAttempt a = attempts.get(i);
                        Timestamp started = Timestamp.from(a.started());
                        ps.setString(1, a.status().name());
                        ps.setInt(2, a.attempt());
                        ps.setLong(3, a.outcome().bytes());
                        ps.setString(4, a.outcome().sha256());
                        ps.setString(5, truncate(a.outcome().reason()));
                        ps.setTimestamp(6, started);
                        ps.setTimestamp(7, Timestamp.from(a.started().plusMillis(a.outcome().millis())));
                        if (a.nextAttempt() == null) {
                            ps.setNull(8, Types.TIMESTAMP);
                        } else {
                            ps.setTimestamp(8, Timestamp.from(a.nextAttempt()));
                        }
                        ps.setLong(9, a.outcome().millis());
                        ps.setLong(10, executionId);
                        ps.setString(11, worker);
                        ps.setLong(12, a.pair().id());
                    }

                    @Override
                    public int getBatchSize() {
                        return attempts.size();
                    }
                });
        jdbc.batchUpdate("INSERT INTO CAPSYNC_ATTEMPT (PAIR_ID, ATTEMPT, JOB_EXECUTION_ID, STARTED, DURATION_MS, RESULT, REASON) VALUES (?, ?, ?, ?, ?, ?, ?)",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        PairAttempt a = attempts.get(i);
                        ps.setLong(1, a.pair().id());
                        ps.setInt(2, a.attempt());
                        ps.setLong(3, executionId);
                        ps.setTimestamp(4, Timestamp.from(a.started()));
                        ps.setLong(5, a.outcome().millis());
                        ps.setString(6, a.outcome().kind().name());
                        ps.setString(7, truncate(a.outcome().reason()));
                    }

                    @Override
                    public int getBatchSize() {
                        return attempts.size();
                    }
                });
    }

    /**
     * The RETRY pairs due by {@code now}, earliest first. Asked per partition, so that each question is a range of the
     * cursor index (JOB_INSTANCE_ID, PARTITION_NO, STATUS): asked for the whole instance, it read every pair of the
     * instance on every poll of the retry step.
     */
    public List<Pair> dueRetries(long instanceId, int partitions, String jobName, Instant now, int limit) {
        List<Due> due = new ArrayList<>();
        Timestamp until = Timestamp.from(now);
        RowMapper<Pair> pairs = pairMapper(jobName);
        for (int partition = 0; partition < partitions; partition++) {
            due.addAll(jdbc.query("SELECT NEXT_ATTEMPT, " + PAIR_COLUMNS + " FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                    + "AND PARTITION_NO = ? AND STATUS = 'RETRY' AND NEXT_ATTEMPT <= ? ORDER BY NEXT_ATTEMPT, PAIR_ID "
                    + "FETCH FIRST " + limit + " ROWS ONLY",
                    (rs, row) -> new Due(rs.getTimestamp("NEXT_ATTEMPT").toInstant(), pairs.mapRow(rs, row)),
                    instanceId, partition, until));
        }
        return due.stream()
                .sorted(Comparator.comparing(Due::at).thenComparingLong(d -> d.pair().id()))
                .limit(limit)
                .map(Due::pair)
                .toList();
    }

    /** One partition's RETRY pairs due by {@code now}: what a worker retries of the partition it holds. */
    List<Pair> dueRetriesOf(long instanceId, int partition, String jobName, Instant now, int limit) {
        return jdbc.query("SELECT " + PAIR_COLUMNS + " FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                + "AND PARTITION_NO = ? AND STATUS = 'RETRY' AND NEXT_ATTEMPT <= ? ORDER BY NEXT_ATTEMPT, PAIR_ID "
                + "FETCH FIRST " + limit + " ROWS ONLY", pairMapper(jobName), instanceId, partition, Timestamp.from(now));
    }

    /** When one partition's next RETRY pair is due. */
    Optional<Instant> nextRetryOf(long instanceId, int partition) {
        Timestamp t = jdbc.queryForObject("SELECT MIN(NEXT_ATTEMPT) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                + "AND PARTITION_NO = ? AND STATUS = 'RETRY'", Timestamp.class, instanceId, partition);
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }

    private record Due(Instant at, Pair pair) {
    }

    /** When the next RETRY pair of the instance is due, per partition like {@link #dueRetries}. */
    public Optional<Instant> nextRetry(long instanceId, int partitions) {
        Instant next = null;
        for (int partition = 0; partition < partitions; partition++) {
            Timestamp t = jdbc.queryForObject("SELECT MIN(NEXT_ATTEMPT) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                    + "AND PARTITION_NO = ? AND STATUS = 'RETRY'", Timestamp.class, instanceId, partition);
            if (t != null && (next == null || t.toInstant().isBefore(next))) {
                next = t.toInstant();
            }
        }
        return Optional.ofNullable(next);
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
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? AND STATUS NOT IN "
                + PairStatus.currentInSql(),
                Integer.class, instanceId);
        return n == null ? 0 : n;
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= 2000 ? reason : reason.substring(0, 1997) + "...";
    }
}
