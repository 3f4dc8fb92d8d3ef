package org.capsync.ops;

import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.capsync.repository.PairStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads a job's {@link CapState} with plain SQL over {@code CAPSYNC_PAIR} and {@code BATCH_JOB_EXECUTION}; the same
 * statements run on H2 and PostgreSQL. The per-pair look-backs use the (JOB_NAME, CAP_NAME, FILE_NAME, JOB_INSTANCE_ID)
 * index.
 */
public class CapStateQuery {

    static final int STALE_NAMES = 100;

    private static final String CURRENT = "('COPIED', 'UNCHANGED')";

    /**
     * For each stale pair of the instance: the start of the earliest execution of the instances after the last one in
     * which that (CAP, file) was current, i.e. the first execution that left it not current.
     */
    private static final String STALE_SINCE = "SELECT COUNT(*), MIN(SINCE) FROM ("
            + "SELECT (SELECT MIN(e.START_TIME) FROM CAPSYNC_PAIR q JOIN BATCH_JOB_EXECUTION e ON e.JOB_INSTANCE_ID = q.JOB_INSTANCE_ID "
            + "        WHERE q.JOB_NAME = p.JOB_NAME AND q.CAP_NAME = p.CAP_NAME AND q.FILE_NAME = p.FILE_NAME "
            + "          AND q.JOB_INSTANCE_ID > COALESCE((SELECT MAX(c.JOB_INSTANCE_ID) FROM CAPSYNC_PAIR c "
            + "              WHERE c.JOB_NAME = p.JOB_NAME AND c.CAP_NAME = p.CAP_NAME AND c.FILE_NAME = p.FILE_NAME "
            + "                AND c.STATUS IN " + CURRENT + "), -1)) AS SINCE "
            + "FROM CAPSYNC_PAIR p WHERE p.JOB_INSTANCE_ID = ? AND p.STATUS NOT IN " + CURRENT + ") STALE_PAIRS";

    private final JdbcTemplate jdbc;

    public CapStateQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The state after the job's latest instance that got as far as planning its pairs; empty if none has. */
    public Optional<CapState> latest(String jobName) {
        Long instanceId = jdbc.queryForObject("SELECT MAX(JOB_INSTANCE_ID) FROM CAPSYNC_PAIR WHERE JOB_NAME = ?", Long.class, jobName);
        if (instanceId == null) {
            return Optional.empty();
        }
        Map<PairStatus, Integer> pairs = new EnumMap<>(PairStatus.class);
        for (PairStatus status : PairStatus.values()) {
            pairs.put(status, 0);
        }
        jdbc.query("SELECT STATUS, COUNT(*) FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? GROUP BY STATUS",
                (ResultSet rs) -> {
                    pairs.put(PairStatus.valueOf(rs.getString(1)), rs.getInt(2));
                }, instanceId);
        int[] stale = new int[1];
        Instant[] since = new Instant[1];
        jdbc.query(STALE_SINCE, (ResultSet rs) -> {
            stale[0] = rs.getInt(1);
            Timestamp oldest = rs.getTimestamp(2);
            since[0] = oldest == null ? null : oldest.toInstant();
        }, instanceId);
        List<String> names = jdbc.queryForList("SELECT DISTINCT CAP_NAME FROM CAPSYNC_PAIR WHERE JOB_INSTANCE_ID = ? "
                + "AND STATUS NOT IN " + CURRENT + " ORDER BY CAP_NAME FETCH FIRST " + STALE_NAMES + " ROWS ONLY",
                String.class, instanceId);
        return Optional.of(new CapState(instanceId, pairs, stale[0], names, since[0]));
    }
}
