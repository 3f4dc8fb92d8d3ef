package org.capsync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.capsync.support.HistoryJson.row;
import static org.capsync.support.HistoryJson.rows;
import static org.capsync.support.HistoryJson.time;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.Cli;
import org.capsync.support.HistoryJson;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code history}, {@code show} and {@code caps} against a repository filled by real runs through the command line:
 * <ol>
 * <li>run 1: CAP_003 held by a client throughout (skipped), CAP_004 without its clidata.box folder (failed);</li>
 * <li>run 2, a new source: a separate capsync process, killed with SIGKILL while CAP_002 (held) waits for a retry;</li>
 * <li>run 3: restarts run 2 and copies only CAP_002;</li>
 * <li>run 4, a new source: CAP_001 held throughout (skipped), CAP_004 still failing.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryCommandsTest {

    private static final Pattern SUMMARY = Pattern.compile("\\(execution (\\d+), (\\w+)\\)$");

    @TempDir
    static Path dir;

    TestSite site;
    long run1;
    long run2;
    long run3;
    long run4;
    String sha2;
    String sha4;
    List<JsonNode> historyWhileKilledRunLeftStarted;

    @BeforeAll
    void fillTheRepositoryWithRealRuns() throws Exception {
        site = TestSite.withCaps(dir, 4).retry("{ attempts: 2, delay: 200ms }");
        Files.write(site.capFile("CAP_003"), TestSite.bytes(100, 3));
        Files.delete(site.capFile("CAP_004").getParent());

        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_003"), Duration.ofMinutes(2))) {
            run1 = run(3);
        }

        site.source("client.lkp", TestSite.bytes(20_000, 2));
        sha2 = sha256(site.sourceBytes());
        Files.write(site.capFile("CAP_002"), TestSite.bytes(100, 4));
        site.retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess child = CapsyncProcess.start(site, "run", "job.yml")) {
            run2 = HistoryJson.awaitRetrying(site, "CAP_002", child);
            // Killed in the retry step, once the first pass has finished every other CAP.
            HistoryJson.await("the first pass of run 2", () -> rows(site, "history").get(0).path("copied").asInt() == 2);
            child.killOnceWritten();
        }
        historyWhileKilledRunLeftStarted = rows(site, "history");

        site.retry("{ attempts: 2, delay: 200ms }");
        run3 = run(3);

        site.source("client.lkp", TestSite.bytes(24_000, 5));
        sha4 = sha256(site.sourceBytes());
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2))) {
            run4 = run(3);
        }
    }

    private long run(int expectedExit) {
        Cli.Result result = Cli.run(site, "run", "job.yml");
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(expectedExit);
        Matcher m = SUMMARY.matcher(result.lastLine());
        assertThat(m.find()).as(result.lastLine()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void historyListsEveryExecutionNewestFirstWithItsStatusCountsAndWhatItRestarted() {
        List<JsonNode> history = rows(site, "history");

        assertThat(history).extracting(e -> e.path("executionId").asLong()).containsExactly(run4, run3, run2, run1);
        assertExecution(history.get(0), run4, "COMPLETED_WITH_SKIPS", 2, 0, 1, 1, null);
        assertExecution(history.get(1), run3, "COMPLETED_WITH_SKIPS", 1, 0, 0, 0, run2);
        // Killed, then marked FAILED by the next run before it restarted it: it counts what it finished itself.
        assertExecution(history.get(2), run2, "FAILED", 2, 0, 0, 1, null);
        assertExecution(history.get(3), run1, "COMPLETED_WITH_SKIPS", 2, 0, 1, 1, null);
        assertThat(history.get(1).path("instanceId").asLong()).isEqualTo(history.get(2).path("instanceId").asLong());
        assertThat(history.get(0).path("instanceId").asLong()).isNotEqualTo(history.get(1).path("instanceId").asLong());
        for (JsonNode e : history) {
            assertThat(e.path("job").asText()).isEqualTo("client-lkp");
            assertThat(e.path("remaining").asInt()).isZero();
            Instant start = time(e.path("start"));
            Instant end = time(e.path("end"));
            assertThat(end).isAfterOrEqualTo(start);
            assertThat(e.path("durationMs").asLong()).isBetween(Duration.between(start, end).toMillis() - 1,
                    Duration.between(start, end).toMillis() + 1);
        }
    }

    private static void assertExecution(JsonNode e, long id, String status, int copied, int unchanged, int skipped,
            int failed, Long restartOf) {
        assertThat(e.path("executionId").asLong()).isEqualTo(id);
        assertThat(e.path("status").asText()).as("status of %d", id).isEqualTo(status);
        assertThat(e.path("copied").asInt()).as("copied by %d", id).isEqualTo(copied);
        assertThat(e.path("unchanged").asInt()).as("unchanged by %d", id).isEqualTo(unchanged);
        assertThat(e.path("skipped").asInt()).as("skipped by %d", id).isEqualTo(skipped);
        assertThat(e.path("failed").asInt()).as("failed by %d", id).isEqualTo(failed);
        if (restartOf == null) {
            assertThat(e.path("restartOf").isNull()).as("restartOf of %d", id).isTrue();
        } else {
            assertThat(e.path("restartOf").asLong()).as("restartOf of %d", id).isEqualTo(restartOf);
        }
    }

    @Test
    void aRunKilledWithSigkillShowedAsStartedWithWhatItHadDoneUntilTheNextRunRecoveredIt() {
        JsonNode killed = historyWhileKilledRunLeftStarted.get(0);

        assertThat(killed.path("executionId").asLong()).isEqualTo(run2);
        assertThat(killed.path("status").asText()).isEqualTo("STARTED");
        assertThat(killed.path("end").isNull()).isTrue();
        assertThat(killed.path("copied").asInt()).isEqualTo(2);
        assertThat(killed.path("failed").asInt()).isEqualTo(1);
        assertThat(killed.path("remaining").asInt()).as("CAP_002 still to do").isEqualTo(1);
    }

    @Test
    void historyAsCsvCarriesTheJsonFieldsAndAsATableReadsAsOne() throws Exception {
        Cli.Result csv = Cli.run(site, "history", "--csv");
        assertThat(csv.exitCode()).isZero();
        var parsed = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv.out()));
        List<CSVRecord> records = parsed.getRecords();
        assertThat(parsed.getHeaderNames()).containsExactly("executionId", "job", "instanceId", "status", "start", "end",
                "durationMs", "copied", "unchanged", "skipped", "failed", "remaining", "restartOf", "exitMessage", "workers");
        assertThat(records).hasSize(4);
        assertThat(records.get(1).get("workers")).as("a local run's outcomes are made by its own process, host:pid").matches("[^ ]+:\\d+");
        assertThat(records.get(1).get("executionId")).isEqualTo(Long.toString(run3));
        assertThat(records.get(1).get("restartOf")).isEqualTo(Long.toString(run2));
        assertThat(records.get(1).get("status")).isEqualTo("COMPLETED_WITH_SKIPS");
        assertThat(records.get(3).get("restartOf")).isEmpty();

        Cli.Result table = Cli.run(site, "history");
        assertThat(table.exitCode()).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).startsWith("EXECUTION").contains("STATUS", "START", "DURATION", "COPIED", "UNCHANGED",
                "SKIPPED", "FAILED", "RESTART OF");
        assertThat(lines[2]).contains(" " + run3 + " ", "COMPLETED_WITH_SKIPS").endsWith(" " + run2);
        assertThat(lines).hasSize(5);
    }

    @Test
    void historyFiltersByJobNameOrJobFileLimitAndDate() {
        assertThat(rows(site, "history", "client-lkp")).hasSize(4);
        assertThat(rows(site, "history", "job.yml")).hasSize(4);
        assertThat(rows(site, "history", "--limit", "2")).extracting(e -> e.path("executionId").asLong()).containsExactly(run4, run3);
        assertThat(rows(site, "history", "--since", "1d")).hasSize(4);
        assertThat(rows(site, "history", "--since", Instant.now().plusSeconds(3600).toString())).isEmpty();
        assertThat(rows(site, "history", "--since", java.time.LocalDate.now().plusDays(1).toString())).isEmpty();
    }

    @Test
    void showListsEachCapAndFileTheExecutionHandled() {
        List<JsonNode> pairs = rows(site, "show", Long.toString(run1));

        assertThat(pairs).extracting(p -> p.path("cap").asText()).containsExactly("CAP_001", "CAP_002", "CAP_003", "CAP_004");
        JsonNode copied = row(pairs, "cap", "CAP_001");
        assertThat(copied.path("file").asText()).isEqualTo("client.lkp");
        assertThat(copied.path("status").asText()).isEqualTo("COPIED");
        assertThat(copied.path("attempts").asInt()).isEqualTo(1);
        assertThat(copied.path("bytes").asLong()).isEqualTo(16 * 1024);
        assertThat(copied.path("sha256").asText()).hasSize(64);
        assertThat(copied.path("error").isNull()).isTrue();
        assertThat(time(copied.path("end"))).isAfterOrEqualTo(time(copied.path("start")));
        assertThat(copied.path("worker").asText()).as("the run's own process for a local run")
                .isEqualTo(org.capsync.repository.ProcessName.current());

        JsonNode skipped = row(pairs, "cap", "CAP_003");
        assertThat(skipped.path("status").asText()).isEqualTo("SKIPPED");
        assertThat(skipped.path("attempts").asInt()).isEqualTo(2);
        assertThat(skipped.path("bytes").isNull()).isTrue();
        assertThat(skipped.path("sha256").isNull()).isTrue();
        assertThat(skipped.path("error").asText()).contains("in use");

        JsonNode failed = row(pairs, "cap", "CAP_004");
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(failed.path("error").asText()).contains("clidata.box", "not found");
    }

    @Test
    void aRestartListsOnlyThePairsItHandledItselfAndTheKilledRunShowsWhatItLeft() {
        List<JsonNode> restart = rows(site, "show", Long.toString(run3), "--attempts");
        assertThat(restart).hasSize(1);
        JsonNode cap2 = restart.get(0);
        assertThat(cap2.path("cap").asText()).isEqualTo("CAP_002");
        assertThat(cap2.path("status").asText()).isEqualTo("COPIED");
        assertThat(cap2.path("sha256").asText()).isEqualTo(sha2);
        JsonNode log = cap2.path("attemptLog");
        assertThat(log.size()).as("only this execution's attempts").isEqualTo(1);
        assertThat(log.get(0).path("result").asText()).isEqualTo("COPIED");
        assertThat(cap2.path("attempts").asInt()).as("counting on from the killed run's attempts")
                .isEqualTo(log.get(0).path("attempt").asInt()).isGreaterThan(1);

        List<JsonNode> killed = rows(site, "show", Long.toString(run2));
        assertThat(killed).extracting(p -> p.path("cap").asText()).containsExactly("CAP_001", "CAP_002", "CAP_003", "CAP_004");
        JsonNode left = row(killed, "cap", "CAP_002");
        assertThat(left.path("status").asText()).isEqualTo("RETRY");
        assertThat(left.path("error").asText()).contains("in use");
        assertThat(left.path("attempts").asInt()).isEqualTo(cap2.path("attempts").asInt() - 1);
        assertThat(row(killed, "cap", "CAP_003").path("status").asText()).isEqualTo("COPIED");
    }

    @Test
    void showAttemptsGivesEveryAttemptWithTimeResultAndReason() throws Exception {
        List<JsonNode> pairs = rows(site, "show", Long.toString(run1), "--attempts");
        JsonNode log = row(pairs, "cap", "CAP_003").path("attemptLog");
        assertThat(log.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            JsonNode attempt = log.get(i);
            assertThat(attempt.path("attempt").asInt()).isEqualTo(i + 1);
            assertThat(attempt.path("result").asText()).isEqualTo("IN_USE");
            assertThat(attempt.path("reason").asText()).contains("in use");
            assertThat(attempt.path("durationMs").asLong()).isNotNegative();
            time(attempt.path("time"));
        }
        assertThat(time(log.get(1).path("time"))).isAfter(time(log.get(0).path("time")));

        Cli.Result csv = Cli.run(site, "show", Long.toString(run1), "--attempts", "--csv");
        assertThat(csv.exitCode()).isZero();
        var parsed = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv.out()));
        assertThat(parsed.getHeaderNames()).containsExactly("cap", "file", "status", "attempt", "time", "durationMs", "result", "reason");
        assertThat(parsed.getRecords()).filteredOn(r -> r.get("cap").equals("CAP_003")).hasSize(2)
                .allSatisfy(r -> assertThat(r.get("result")).isEqualTo("IN_USE"));

        Cli.Result table = Cli.run(site, "show", Long.toString(run1), "--attempts");
        assertThat(table.out()).startsWith("execution " + run1 + " of client-lkp: COMPLETED_WITH_SKIPS")
                .contains("ATTEMPT", "IN_USE", "CAP_004  client.lkp  FAILED");
    }

    @Test
    void capsSaysWhichCapsAreCurrentSinceWhenTheOthersAreStaleAndHowManyRunsTheyMissed() {
        List<JsonNode> caps = rows(site, "caps", "client-lkp");
        List<JsonNode> run2Pairs = rows(site, "show", Long.toString(run2));
        Instant run1Start = time(row(rows(site, "history"), "executionId", Long.toString(run1)).path("start"));
        Instant run4Start = time(row(rows(site, "history"), "executionId", Long.toString(run4)).path("start"));

        assertThat(caps).extracting(c -> c.path("cap").asText()).containsExactly("CAP_001", "CAP_002", "CAP_003", "CAP_004");
        for (JsonNode c : caps) {
            assertThat(c.path("file").asText()).isEqualTo("client.lkp");
            assertThat(c.path("path").asText()).isEqualTo(site.capRoot(c.path("cap").asText()).toString());
            assertThat(c.path("sourceSha256").asText()).isEqualTo(sha4);
        }
        JsonNode held = row(caps, "cap", "CAP_001");
        assertThat(held.path("current").asBoolean()).isFalse();
        assertThat(held.path("status").asText()).isEqualTo("SKIPPED");
        assertThat(held.path("sha256").asText()).as("what it last received: run 2's file").isEqualTo(sha2);
        assertThat(time(held.path("lastSuccess"))).isEqualTo(time(row(run2Pairs, "cap", "CAP_001").path("end")));
        assertThat(time(held.path("lastAttempt"))).isAfter(time(held.path("lastSuccess")));
        assertThat(held.path("staleSinceExecution").asLong()).isEqualTo(run4);
        assertThat(time(held.path("staleSince"))).isEqualTo(run4Start);
        assertThat(held.path("runsMissed").asInt()).isEqualTo(1);
        assertThat(held.path("error").asText()).contains("in use");

        for (String cap : List.of("CAP_002", "CAP_003")) {
            JsonNode current = row(caps, "cap", cap);
            assertThat(current.path("current").asBoolean()).as(cap).isTrue();
            assertThat(current.path("status").asText()).isEqualTo("COPIED");
            assertThat(current.path("sha256").asText()).isEqualTo(sha4);
            assertThat(current.path("lastSuccess")).isEqualTo(current.path("lastAttempt"));
            assertThat(current.path("staleSince").isNull()).isTrue();
            assertThat(current.path("staleSinceExecution").isNull()).isTrue();
            assertThat(current.path("runsMissed").asInt()).isZero();
            assertThat(current.path("error").isNull()).isTrue();
        }

        JsonNode broken = row(caps, "cap", "CAP_004");
        assertThat(broken.path("current").asBoolean()).isFalse();
        assertThat(broken.path("status").asText()).isEqualTo("FAILED");
        assertThat(broken.path("lastSuccess").isNull()).as("never had a success").isTrue();
        assertThat(broken.path("sha256").isNull()).isTrue();
        assertThat(broken.path("staleSinceExecution").asLong()).isEqualTo(run1);
        assertThat(time(broken.path("staleSince"))).isEqualTo(run1Start);
        assertThat(broken.path("runsMissed").asInt()).as("runs 1, 2 (with its restart) and 4").isEqualTo(3);
        assertThat(broken.path("error").asText()).contains("clidata.box", "not found");

        assertThat(rows(site, "caps", "job.yml", "--stale")).extracting(c -> c.path("cap").asText())
                .containsExactly("CAP_001", "CAP_004");
        Cli.Result table = Cli.run(site, "caps", "client-lkp", "--stale");
        assertThat(table.out()).contains("CAP_001", "CAP_004", "STALE SINCE").doesNotContain("CAP_002")
                .contains("client-lkp: 2 of 4 (CAP, file) current, 2 stale");
    }

    @Test
    void anUnknownExecutionOrJobIsExit2WithAClearMessage() {
        Cli.Result show = Cli.run(site, "show", "999999");
        assertThat(show.exitCode()).isEqualTo(2);
        assertThat(show.err()).contains("no execution 999999");

        Cli.Result history = Cli.run(site, "history", "nightly");
        assertThat(history.exitCode()).isEqualTo(2);
        assertThat(history.err()).contains("no job named 'nightly'", "client-lkp");

        Cli.Result caps = Cli.run(site, "caps", "nightly", "--json");
        assertThat(caps.exitCode()).isEqualTo(2);
        assertThat(caps.out()).isEmpty();

        assertThat(Cli.run(site, "caps", "no/such/job.yml").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "show", "forty-two").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "history", "--json", "--csv").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "history", "--since", "last tuesday").exitCode()).isEqualTo(2);
        assertThat(Cli.run(site, "history", "--limit", "0").exitCode()).isEqualTo(2);
    }

    @Test
    void withoutARepositoryTheQueriesSayNoRunIsRecordedAndCreateNothing() {
        Path empty = dir.resolve("empty-home");
        assertThat(Cli.run(empty, site.root(), "history").out()).contains("(no executions)");
        assertThat(Cli.run(empty, site.root(), "history", "--json").out().strip()).isEqualTo("[ ]");
        assertThat(Cli.run(empty, site.root(), "show", "1").exitCode()).isEqualTo(2);
        assertThat(Cli.run(empty, site.root(), "caps", "client-lkp").exitCode()).isEqualTo(2);
        assertThat(empty).doesNotExist();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
