package org.capsync.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import org.capsync.repository.CapsyncHome;
import org.flywaydb.core.Flyway;
import org.springframework.batch.core.job.DefaultJobKeyGenerator;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.dao.DefaultExecutionContextSerializer;

/**
 * Fills a CAPSYNC_HOME with the history of a job that ran nightly for {@code runs} nights over {@code caps} CAPs: one
 * outcome row per (night, CAP), written directly with batched SQL (a few seconds per 100,000 rows) instead of running
 * the job a thousand times. The shapes follow real nights: the source changes weekly (COPIED that night, UNCHANGED
 * otherwise); a CAP held by a client is SKIPPED after 5 attempts and copied the next night; a few CAPs fail now and
 * then; CAP_0013 lost its clidata.box folder at night 300 and fails ever since; CAP_0777 has been held for the last 40
 * nights; every 50th night was killed half-way and restarted. The schema is capsync's own Flyway migrations, and
 * Spring Batch's sequences are moved past the generated ids, so real runs continue on the generated repository.
 *
 * <p>Usage: {@code HistoryBenchmarkRepository CAPSYNC_HOME [runs] [caps] [job]} (defaults 1000, 1000, bench). The
 * repository is compacted at the end unless the environment has {@code BENCH_COMPACT=no}.
 */
public final class HistoryBenchmarkRepository {

    private static final int THREADS = 4;
    private static final String[] STEPS = {"snapshot", "plan", "distribute", "distributeWorker:partition0",
        "distributeWorker:partition1", "distributeWorker:partition2", "distributeWorker:partition3", "retry"};

    private final Random random = new Random(20261125);
    private long pairId;
    private long stepId;
    private long executionId;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HistoryBenchmarkRepository CAPSYNC_HOME [runs] [caps] [job]");
            System.exit(2);
        }
        CapsyncHome home = new CapsyncHome(Path.of(args[0]).toAbsolutePath()).ensureExists();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int caps = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String job = args.length > 3 ? args[3] : "bench";
        long started = System.nanoTime();
        boolean compact = !"no".equals(System.getenv("BENCH_COMPACT"));
        new HistoryBenchmarkRepository().fill(home, runs, caps, job, compact);
        System.out.printf("generated %d runs x %d CAPs of job %s in %s in %.1f s%n", runs, caps, job, home.root(),
                (System.nanoTime() - started) / 1e9);
    }

    public void fill(CapsyncHome home, int runs, int caps, String job, boolean compact) throws Exception {
        // Embedded, without AUTO_SERVER: nothing else may use the repository while it is generated.
        String url = "jdbc:h2:file:" + home.repository().resolve("capsync").toString().replace('\\', '/');
        // The home's password: generated here for a new repository, as capsync's first run would.
        String user = home.repositoryLocation().user();
        String password = home.repositoryLocation().password();
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration/h2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            Statements s = new Statements(c);
            int[] heldVersion = new int[caps + 1];
            LocalDate first = LocalDate.now().minusDays(runs + 1L);
            for (int night = 1; night <= runs; night++) {
                night(s, job, night, caps, first.plusDays(night).atTime(LocalTime.of(2, 0)), heldVersion);
                s.flush();
                c.commit();
            }
            try (Statement st = c.createStatement()) {
                st.execute("ALTER SEQUENCE BATCH_JOB_INSTANCE_SEQ RESTART WITH " + (runs + 1));
                st.execute("ALTER SEQUENCE BATCH_JOB_EXECUTION_SEQ RESTART WITH " + (executionId + 1));
                st.execute("ALTER SEQUENCE BATCH_STEP_EXECUTION_SEQ RESTART WITH " + (stepId + 1));
                st.execute("ALTER TABLE CAPSYNC_PAIR ALTER COLUMN PAIR_ID RESTART WITH " + (pairId + 1));
            }
            c.commit();
            if (compact) {
                // A repository written by a thousand nightly runs has been compacted a little at every close (H2's
                // MAX_COMPACT_TIME); one written in one go is mostly dead chunks, which the next close would pay for.
                try (Statement st = c.createStatement()) {
                    st.execute("SHUTDOWN COMPACT");
                }
            }
        }
    }

    private void night(Statements s, String job, int night, int caps, LocalDateTime start, int[] heldVersion) throws Exception {
        int version = night / 7 + 1;
        String sha = sha256("client.lkp version " + version);
        long bytes = 20_000 + version;
        boolean killed = night % 50 == 25;
        long firstExecution = ++executionId;
        long restart = killed ? ++executionId : firstExecution;

        s.instance.setLong(1, night);
        s.instance.setString(2, job);
        s.instance.setString(3, new DefaultJobKeyGenerator().generateKey(
                new JobParametersBuilder().addLong("run.id", (long) night).toJobParameters()));
        s.instance.addBatch();
        s.snapshot.setLong(1, night);
        s.snapshot.setString(2, "client.lkp");
        s.snapshot.setLong(3, bytes);
        s.snapshot.setString(4, sha);
        s.snapshot.setTimestamp(5, Timestamp.valueOf(start.minusHours(3)));
        s.snapshot.setString(6, "/var/capsync/snapshots/" + job + "/" + night + "/client.lkp");
        s.snapshot.addBatch();

        boolean notCurrent = false;
        LocalDateTime clock = start.plusSeconds(2);
        for (int cap = 1; cap <= caps; cap++) {
            String name = String.format("CAP_%04d", cap);
            long execution = killed && cap > caps / 2 ? restart : firstExecution;
            String status;
            int attempts = 1;
            String error = null;
            if (cap == 13 && night >= 300) {
                status = "FAILED";
                error = "target folder /srv/caps/" + name + "/clidata.box not found";
            } else if (heldVersion[cap] == version) {
                status = "UNCHANGED";
            } else if ((cap == 777 && night > 960) || random.nextInt(100) < 3) {
                status = "SKIPPED";
                attempts = 5;
                error = "in use (another process holds a lock on /srv/caps/" + name + "/clidata.box/client.lkp)";
            } else if (random.nextInt(500) == 0) {
                status = "FAILED";
                error = "CAP folder /srv/caps/" + name + " not found or not reachable";
            } else {
                status = "COPIED";
                heldVersion[cap] = version;
            }
            notCurrent |= status.equals("SKIPPED") || status.equals("FAILED");
            long id = ++pairId;
            LocalDateTime attemptAt = clock;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                String result = status.equals("SKIPPED") ? "IN_USE" : status;
                s.attempt.setLong(1, id);
                s.attempt.setInt(2, attempt);
                s.attempt.setLong(3, execution);
                s.attempt.setTimestamp(4, Timestamp.valueOf(attemptAt));
                s.attempt.setLong(5, 12);
                s.attempt.setString(6, result);
                s.attempt.setString(7, error);
                s.attempt.addBatch();
                if (attempt < attempts) {
                    attemptAt = attemptAt.plusSeconds(2L << (attempt - 1));
                }
            }
            s.pair.setLong(1, id);
            s.pair.setLong(2, night);
            s.pair.setString(3, job);
            s.pair.setInt(4, (cap - 1) % THREADS);
            s.pair.setString(5, name);
            s.pair.setString(6, "/srv/caps/" + name);
            s.pair.setString(7, "clidata.box");
            s.pair.setString(8, "client.lkp");
            s.pair.setString(9, status);
            s.pair.setInt(10, attempts);
            s.pair.setLong(11, status.equals("COPIED") ? bytes : 0);
            s.pair.setString(12, status.equals("COPIED") || status.equals("UNCHANGED") ? sha : null);
            s.pair.setString(13, error);
            s.pair.setTimestamp(14, Timestamp.valueOf(clock));
            s.pair.setTimestamp(15, Timestamp.valueOf(attemptAt.plusNanos(12_000_000)));
            s.pair.setLong(16, 12L * attempts);
            s.pair.setLong(17, execution);
            s.pair.addBatch();
            s.count(attempts + 1);
            clock = clock.plusNanos(40_000_000);
        }
        LocalDateTime end = clock.plusSeconds(1);
        String exitCode = notCurrent ? "COMPLETED_WITH_SKIPS" : "COMPLETED";
        if (killed) {
            LocalDateTime killedAt = start.plusSeconds(20);
            execution(s, firstExecution, night, start, killedAt, "FAILED", "FAILED", job);
            execution(s, restart, night, killedAt.plusSeconds(30), end.plusSeconds(60), "COMPLETED", exitCode, job);
        } else {
            execution(s, firstExecution, night, start, end, "COMPLETED", exitCode, job);
        }
    }

    private void execution(Statements s, long id, long instance, LocalDateTime start, LocalDateTime end, String status,
            String exitCode, String job) throws Exception {
        s.execution.setLong(1, id);
        s.execution.setLong(2, instance);
        s.execution.setTimestamp(3, Timestamp.valueOf(start.minusNanos(20_000_000)));
        s.execution.setTimestamp(4, Timestamp.valueOf(start));
        s.execution.setTimestamp(5, Timestamp.valueOf(end));
        s.execution.setString(6, status);
        s.execution.setString(7, exitCode);
        s.execution.setString(8, status.equals("FAILED") ? "killed; recovered by the next run" : "");
        s.execution.setTimestamp(9, Timestamp.valueOf(end));
        s.execution.addBatch();
        s.param.setLong(1, id);
        s.param.setString(2, "run.id");
        s.param.setString(3, "java.lang.Long");
        s.param.setString(4, Long.toString(instance));
        s.param.setString(5, "Y");
        s.param.addBatch();
        s.param.setLong(1, id);
        s.param.setString(2, "job.file");
        s.param.setString(3, "java.lang.String");
        s.param.setString(4, "/etc/capsync/jobs/" + job + ".yml");
        s.param.setString(5, "N");
        s.param.addBatch();
        s.jobContext.setLong(1, id);
        s.jobContext.setString(2, context(Map.of("batch.version", "6.0.4")));
        s.jobContext.addBatch();
        for (String step : STEPS) {
            long sid = ++stepId;
            s.step.setLong(1, sid);
            s.step.setString(2, step);
            s.step.setLong(3, id);
            s.step.setTimestamp(4, Timestamp.valueOf(start));
            s.step.setTimestamp(5, Timestamp.valueOf(start));
            s.step.setTimestamp(6, Timestamp.valueOf(end));
            s.step.setString(7, status);
            s.step.setString(8, status);
            s.step.setTimestamp(9, Timestamp.valueOf(end));
            s.step.addBatch();
            s.stepContext.setLong(1, sid);
            s.stepContext.setString(2, context(Map.of("batch.version", "6.0.4", "batch.stepType", step)));
            s.stepContext.addBatch();
        }
    }

    private static String context(Map<String, Object> values) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The serializer writes Base64 text already, as Spring Batch stores it in SHORT_CONTEXT.
        new DefaultExecutionContextSerializer().serialize(new HashMap<>(values), out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The batched inserts, flushed every few thousand rows. */
    private static final class Statements {
        final PreparedStatement instance;
        final PreparedStatement execution;
        final PreparedStatement param;
        final PreparedStatement jobContext;
        final PreparedStatement step;
        final PreparedStatement stepContext;
        final PreparedStatement snapshot;
        final PreparedStatement pair;
        final PreparedStatement attempt;
        private int pending;

        Statements(Connection c) throws Exception {
            instance = c.prepareStatement("INSERT INTO BATCH_JOB_INSTANCE (JOB_INSTANCE_ID, VERSION, JOB_NAME, JOB_KEY) VALUES (?, 0, ?, ?)");
            execution = c.prepareStatement("INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, "
                    + "START_TIME, END_TIME, STATUS, EXIT_CODE, EXIT_MESSAGE, LAST_UPDATED) VALUES (?, 3, ?, ?, ?, ?, ?, ?, ?, ?)");
            param = c.prepareStatement("INSERT INTO BATCH_JOB_EXECUTION_PARAMS (JOB_EXECUTION_ID, PARAMETER_NAME, PARAMETER_TYPE, "
                    + "PARAMETER_VALUE, IDENTIFYING) VALUES (?, ?, ?, ?, ?)");
            jobContext = c.prepareStatement("INSERT INTO BATCH_JOB_EXECUTION_CONTEXT (JOB_EXECUTION_ID, SHORT_CONTEXT) VALUES (?, ?)");
            step = c.prepareStatement("INSERT INTO BATCH_STEP_EXECUTION (STEP_EXECUTION_ID, VERSION, STEP_NAME, JOB_EXECUTION_ID, "
                    + "CREATE_TIME, START_TIME, END_TIME, STATUS, COMMIT_COUNT, READ_COUNT, FILTER_COUNT, WRITE_COUNT, "
                    + "READ_SKIP_COUNT, WRITE_SKIP_COUNT, PROCESS_SKIP_COUNT, ROLLBACK_COUNT, EXIT_CODE, EXIT_MESSAGE, LAST_UPDATED) "
                    + "VALUES (?, 3, ?, ?, ?, ?, ?, ?, 1, 0, 0, 0, 0, 0, 0, 0, ?, '', ?)");
            stepContext = c.prepareStatement("INSERT INTO BATCH_STEP_EXECUTION_CONTEXT (STEP_EXECUTION_ID, SHORT_CONTEXT) VALUES (?, ?)");
            snapshot = c.prepareStatement("INSERT INTO CAPSYNC_SNAPSHOT (JOB_INSTANCE_ID, FILE_NAME, BYTES, SHA256, LAST_MODIFIED, "
                    + "STORED_AT) VALUES (?, ?, ?, ?, ?, ?)");
            pair = c.prepareStatement("INSERT INTO CAPSYNC_PAIR (PAIR_ID, JOB_INSTANCE_ID, JOB_NAME, PARTITION_NO, CAP_NAME, CAP_PATH, "
                    + "TARGET_FOLDER, FILE_NAME, STATUS, ATTEMPTS, BYTES, SHA256, LAST_ERROR, FIRST_ATTEMPT, LAST_ATTEMPT, "
                    + "DURATION_MS, JOB_EXECUTION_ID) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            attempt = c.prepareStatement("INSERT INTO CAPSYNC_ATTEMPT (PAIR_ID, ATTEMPT, JOB_EXECUTION_ID, STARTED, DURATION_MS, "
                    + "RESULT, REASON) VALUES (?, ?, ?, ?, ?, ?, ?)");
        }

        void count(int rows) throws Exception {
            pending += rows;
            if (pending >= 20_000) {
                flushRows();
            }
        }

        /** Parents first, so that the foreign keys hold. */
        void flush() throws Exception {
            for (PreparedStatement p : new PreparedStatement[] {instance, execution, param, jobContext, step, stepContext}) {
                p.executeBatch();
            }
            flushRows();
        }

        private void flushRows() throws Exception {
            snapshot.executeBatch();
            pair.executeBatch();
            attempt.executeBatch();
            pending = 0;
        }
    }
}
