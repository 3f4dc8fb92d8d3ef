package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;

import org.capsync.bench.HistoryBenchmarkRepository;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.RepositoryConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Since when a job's CAPs have been stale, as metrics and hooks read it after a run ({@link JobStanding}) and as
 * {@code caps} says it per CAP, on a generated history of 320 nights of 20 CAPs: CAP_0013 was current until night 299
 * and has failed since night 300. Every 50th night from the 25th was killed half-way and restarted.
 */
class StaleSinceTest {

    @TempDir
    Path dir;

    @Test
    void theStandingAndCapsBothDateAStaleCapFromTheFirstExecutionOfTheRunAfterItsLastCurrentOne() throws Exception {
        CapsyncHome home = new CapsyncHome(dir).ensureExists();
        new HistoryBenchmarkRepository().fill(home, 320, 20, "bench", false);

        try (RepositoryConnection repository = RepositoryConnection.openForWriting(home).orElseThrow()) {
            JdbcClient jdbc = repository.jdbc();
            HistoryQueries queries = new HistoryQueries(jdbc);
            Instant night300 = firstStartOf(jdbc, 300);

            assertThat(queries.standing("bench").orElseThrow().oldestStaleSince()).isEqualTo(night300);
            assertThat(staleSince(queries, "CAP_0013")).isEqualTo(night300);

            // Current until night 274, then in use: stale since the killed execution of night 275, not its restart.
            jdbc.sql("UPDATE CAPSYNC_PAIR SET STATUS = 'SKIPPED' WHERE CAP_NAME = 'CAP_0005' AND JOB_INSTANCE_ID >= 275")
                    .update();
            Instant night275 = firstStartOf(jdbc, 275);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID = 275")
                    .query(Integer.class).single()).as("night 275 was restarted").isEqualTo(2);
            assertThat(staleSince(queries, "CAP_0005")).isEqualTo(night275);
            assertThat(queries.standing("bench").orElseThrow().oldestStaleSince()).isEqualTo(night275);

            // Never current: stale since the job's first run.
            jdbc.sql("UPDATE CAPSYNC_PAIR SET STATUS = 'FAILED' WHERE CAP_NAME = 'CAP_0007'").update();
            JobStanding standing = queries.standing("bench").orElseThrow();
            assertThat(standing.oldestStaleSince()).isEqualTo(firstStartOf(jdbc, 1)).isEqualTo(staleSince(queries, "CAP_0007"));
            assertThat(standing.staleCaps()).contains("CAP_0005", "CAP_0007", "CAP_0013");
            assertThat(standing.stale()).isEqualTo(standing.staleCaps().size());
        }
    }

    private static Instant staleSince(HistoryQueries queries, String cap) {
        return queries.caps("bench").stream().filter(c -> c.cap().equals(cap)).findFirst().orElseThrow().staleSince();
    }

    private static Instant firstStartOf(JdbcClient jdbc, long instance) {
        return jdbc.sql("SELECT MIN(START_TIME) FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID = ?").param(instance)
                .query(Timestamp.class).single().toInstant();
    }
}
