package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.capsync.support.HistoryJson.rows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.Repository;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capsync purge}: old runs go with everything recorded about them, in one consistent step; the latest run of a
 * job, a running one, and the earlier executions of a run whose execution is kept stay; later runs and restarts work.
 */
class PurgeTest {

    private static final Pattern SUMMARY = Pattern.compile("\\(execution (\\d+), (\\w+)\\)$");

    @TempDir
    Path dir;

    TestSite site;

    @Test
    void removesOldRunsConsistentlyAndKeepsWhatALaterRestartNeeds() throws Exception {
        site = TestSite.withCaps(dir, 2);
        Files.write(site.capFile("CAP_001"), TestSite.bytes(100, 1));
        long run1 = run("run", "job.yml");                      // instance 1
        site.source("client.lkp", TestSite.bytes(9000, 2));
        long killed1 = killInRetry();                           // instance 2, left STARTED
        long restart1 = run("run", "job.yml");                  // instance 2 again
        site.source("client.lkp", TestSite.bytes(9000, 3));
        long killed2 = killInRetry();                           // instance 3, left STARTED
        Path abandonedSnapshot = site.home().resolve("snapshots/client-lkp").resolve(Long.toString(instanceOf(killed2)));
        assertThat(abandonedSnapshot).isDirectory();
        long fresh = run("run", "job.yml", "--new");            // abandons instance 3; instance 4
        site.source("client.lkp", TestSite.bytes(9000, 4));
        long killed3 = killInRetry();                           // instance 5, left STARTED: the latest execution
        assertThat(rows(site, "history")).extracting(e -> e.path("status").asText())
                .containsExactly("STARTED", "COMPLETED", "ABANDONED", "COMPLETED", "FAILED", "COMPLETED");
        Counts all = counts();

        Cli.Result dryRun = Cli.run(site, "purge", "--older-than", "0s", "--dry-run", "--json");
        assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
        JsonNode would = HistoryJson.parse(dryRun.out());
        assertThat(would.path("dryRun").asBoolean()).isTrue();
        assertThat(counts()).as("a dry run removes nothing").isEqualTo(all);

        Cli.Result purge = Cli.run(site, "purge", "--older-than", "0s", "--json");
        assertThat(purge.exitCode()).as(purge.err()).isZero();
        JsonNode removed = HistoryJson.parse(purge.out());
        assertThat(removed.path("olderThan").asText()).isEqualTo("0s");
        HistoryJson.time(removed.path("before"));
        assertThat(removed.path("dryRun").asBoolean()).isFalse();
        assertThat(removed.path("runs").asInt()).as("instances 1 to 4").isEqualTo(4);
        assertThat(removed.path("executions").asInt()).isEqualTo(5);
        assertThat(removed.path("outcomes").asLong()).isEqualTo(8);
        assertThat(removed.path("attempts").asLong()).isEqualTo(all.attempts() - attemptsOf(killed3));
        assertThat(removed.path("keptExecutions").asInt()).isEqualTo(1);
        for (String field : List.of("runs", "executions", "outcomes", "attempts", "keptExecutions")) {
            assertThat(would.path(field)).as("dry run's " + field).isEqualTo(removed.path(field));
        }

        assertThat(rows(site, "history")).extracting(e -> e.path("executionId").asLong()).containsExactly(killed3);
        assertThat(Cli.run(site, "show", Long.toString(run1)).exitCode()).isEqualTo(2);
        assertThat(abandonedSnapshot).as("the abandoned run's snapshot went with it").doesNotExist();
        assertThat(site.home().resolve("snapshots/client-lkp").resolve(Long.toString(instanceOf(killed3)))).isDirectory();
        assertConsistent();

        // The kept run is restarted from where it was killed, then a new run starts: both on the purged repository.
        long restart3 = run("run", "job.yml");
        List<JsonNode> history = rows(site, "history");
        assertThat(history.get(0).path("executionId").asLong()).isEqualTo(restart3);
        assertThat(history.get(0).path("restartOf").asLong()).isEqualTo(killed3);
        assertThat(history.get(0).path("copied").asInt()).as("only CAP_001, left by the killed run").isEqualTo(1);
        assertThat(history.get(1).path("status").asText()).isEqualTo("FAILED");

        // A run whose latest execution is kept is kept whole: restart3 is the latest, so killed3 stays too.
        Cli.Result nothing = Cli.run(site, "purge", "--older-than", "0s");
        assertThat(nothing.exitCode()).isZero();
        assertThat(nothing.out()).startsWith("removed 0 executions of 0 runs").contains("2 executions kept");
        assertThat(rows(site, "history")).extracting(e -> e.path("executionId").asLong()).containsExactly(restart3, killed3);

        long next = run("run", "job.yml");
        assertThat(rows(site, "history").get(0).path("executionId").asLong()).isEqualTo(next);
        assertThat(rows(site, "history").get(0).path("unchanged").asInt()).isEqualTo(2);
        assertThat(rows(site, "caps", "client-lkp")).allSatisfy(c -> assertThat(c.path("current").asBoolean()).isTrue());

        Cli.Result table = Cli.run(site, "purge", "--older-than", "0s");
        assertThat(table.out()).startsWith("removed 2 executions of 1 runs that ended before").contains("1 executions kept");
        assertConsistent();
        assertThat(fresh).isPositive();
        assertThat(restart1).isPositive();
        assertThat(killed1).isPositive();
    }

    @Test
    void keepsEverythingYoungerThanTheAgeAndRefusesAnAgeWithoutUnit() {
        site = TestSite.withCaps(dir, 1);
        run("run", "job.yml");
        run("run", "job.yml");

        Cli.Result purge = Cli.run(site, "purge", "--older-than", "90d");
        assertThat(purge.exitCode()).isZero();
        assertThat(purge.out()).startsWith("removed 0 executions of 0 runs").contains("2 executions kept");
        assertThat(rows(site, "history")).hasSize(2);

        assertThat(Cli.run(site, "purge", "--older-than", "90").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "purge").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "purge", "--older-than", "soon").err()).contains("--older-than", "90d");
        assertThat(rows(site, "history")).hasSize(2);
    }

    /** Starts a run in another process with CAP_001 held, and kills it with SIGKILL once CAP_001 waits for a retry. */
    private long killInRetry() throws Exception {
        site.retry("{ attempts: 30, delay: 500ms, multiplier: 1 }");
        long id;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess child = CapsyncProcess.start(site, "run", "job.yml")) {
            id = HistoryJson.awaitRetrying(site, "CAP_001", child);
            child.killOnceWritten();
        }
        site.retry("{ attempts: 3, delay: 200ms }");
        return id;
    }

    private long run(String... args) {
        Cli.Result result = Cli.run(site, args);
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        Matcher m = SUMMARY.matcher(result.lastLine());
        assertThat(m.find()).as(result.lastLine()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private long instanceOf(long executionId) {
        return HistoryJson.row(rows(site, "history"), "executionId", Long.toString(executionId)).path("instanceId").asLong();
    }

    private record Counts(long instances, long executions, long steps, long pairs, long attempts, long snapshots) {
    }

    private Counts counts() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            return new Counts(count(s, "BATCH_JOB_INSTANCE"), count(s, "BATCH_JOB_EXECUTION"), count(s, "BATCH_STEP_EXECUTION"),
                    count(s, "CAPSYNC_PAIR"), count(s, "CAPSYNC_ATTEMPT"), count(s, "CAPSYNC_SNAPSHOT"));
        }
    }

    private long attemptsOf(long executionId) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM CAPSYNC_ATTEMPT WHERE JOB_EXECUTION_ID = " + executionId)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** No row of any table points at a job instance, execution, step execution or pair that is gone. */
    private void assertConsistent() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String orphans : List.of(
                    "SELECT COUNT(*) FROM BATCH_JOB_INSTANCE i WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID)",
                    "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION_PARAMS p WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_EXECUTION_ID = p.JOB_EXECUTION_ID)",
                    "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION_CONTEXT x WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_EXECUTION_ID = x.JOB_EXECUTION_ID)",
                    "SELECT COUNT(*) FROM BATCH_STEP_EXECUTION_CONTEXT x WHERE NOT EXISTS (SELECT 1 FROM BATCH_STEP_EXECUTION t WHERE t.STEP_EXECUTION_ID = x.STEP_EXECUTION_ID)",
                    "SELECT COUNT(*) FROM CAPSYNC_PAIR p WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_INSTANCE i WHERE i.JOB_INSTANCE_ID = p.JOB_INSTANCE_ID)",
                    "SELECT COUNT(*) FROM CAPSYNC_SNAPSHOT p WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_INSTANCE i WHERE i.JOB_INSTANCE_ID = p.JOB_INSTANCE_ID)",
                    "SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a WHERE NOT EXISTS (SELECT 1 FROM CAPSYNC_PAIR p WHERE p.PAIR_ID = a.PAIR_ID)",
                    "SELECT COUNT(*) FROM CAPSYNC_ATTEMPT a WHERE NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_EXECUTION_ID = a.JOB_EXECUTION_ID)",
                    "SELECT COUNT(*) FROM CAPSYNC_PAIR p WHERE p.JOB_EXECUTION_ID IS NOT NULL AND NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_EXECUTION_ID = p.JOB_EXECUTION_ID)")) {
                try (ResultSet rs = s.executeQuery(orphans)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(orphans).isZero();
                }
            }
        }
    }

    private static long count(Statement s, String table) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection connect() throws Exception {
        // Every capsync process of this test has ended: the repository file is read directly.
        return Repository.connect(site.home());
    }
}
