package org.capsync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.Cli;
import org.capsync.support.PromFile;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After each run: the textfile-collector {@code .prom} file (parsed line by line) and the on-skips / on-failure hooks
 * with the summary in their environment, on real runs of the job with a client holding a CAP's file.
 */
class MonitoringTest {

    private static final String PROM = "capsync_client-lkp.prom";

    @TempDir
    Path dir;

    TestSite site;
    Path metrics;
    Path hookEnv;

    @BeforeEach
    void setUp() throws IOException {
        metrics = Files.createDirectories(dir.resolve("metrics"));
        hookEnv = dir.resolve("hook.env");
        site = TestSite.withCaps(dir.resolve("site"), 4).retry("{ attempts: 2, delay: 100ms, multiplier: 1, max-delay: 100ms }");
    }

    @Test
    void metricsAndTheOnSkipsHookDescribeARunWithASkippedCapAndStaleSinceKeepsTheFirstRun() throws Exception {
        site.extraJobLines("metrics: ../metrics\non-skips: 'env > " + hookEnv + "'\n");
        Files.write(site.capFile("CAP_003"), TestSite.bytes(10, 5));

        Instant firstStart;
        Instant firstEnd;
        Cli.Result first;
        Cli.Result second;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_003"), Duration.ofMinutes(2))) {
            firstStart = Instant.now();
            first = Cli.run(site, Map.of("CAPSYNC_DB_PASSWORD", "never-for-hooks", "CAPSYNC_SMB_USER", "capsync", "CAPSYNC_SMB_PASSWORD", "nor-this"),
                    "run", site.jobFile().toString());
            firstEnd = Instant.now();
            assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(3);

            Map<String, Double> m = PromFile.samples(metrics.resolve(PROM));
            String job = "job=\"client-lkp\"";
            assertThat(m.get("capsync_last_run_exit_code{" + job + "}")).isEqualTo(3.0);
            assertThat(m.get("capsync_last_run_start_timestamp_seconds{" + job + "}"))
                    .isBetween(seconds(firstStart) - 0.001, seconds(firstEnd));
            assertThat(m.get("capsync_last_run_end_timestamp_seconds{" + job + "}"))
                    .isBetween(m.get("capsync_last_run_start_timestamp_seconds{" + job + "}"), seconds(firstEnd) + 0.001);
            assertThat(m.get("capsync_last_run_execution_id{" + job + "}")).isEqualTo((double) executionId(first));
            assertThat(m).containsEntry("capsync_caps{" + job + ",status=\"COPIED\"}", 3.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"SKIPPED\"}", 1.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"UNCHANGED\"}", 0.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"FAILED\"}", 0.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"PENDING\"}", 0.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"RETRY\"}", 0.0)
                    .containsEntry("capsync_last_run_pairs{" + job + ",outcome=\"copied\"}", 3.0)
                    .containsEntry("capsync_last_run_pairs{" + job + ",outcome=\"skipped\"}", 1.0)
                    .containsEntry("capsync_stale_caps{" + job + "}", 1.0);
            double staleSince = m.get("capsync_stale_oldest_since_timestamp_seconds{" + job + "}");
            assertThat(staleSince).isBetween(seconds(firstStart) - 1, seconds(firstEnd));
            assertThat(Files.list(metrics).map(p -> p.getFileName().toString()).toList()).as("no temp file left").containsExactly(PROM);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(metrics.resolve(PROM)))).isEqualTo("rw-r--r--");

            Map<String, String> env = hookEnvironment();
            assertThat(env).containsEntry("CAPSYNC_JOB", "client-lkp")
                    .containsEntry("CAPSYNC_JOB_FILE", site.jobFile().toString())
                    .containsEntry("CAPSYNC_EXIT_CODE", "3")
                    .containsEntry("CAPSYNC_STATUS", "COMPLETED_WITH_SKIPS")
                    .containsEntry("CAPSYNC_EXECUTION_ID", Long.toString(executionId(first)))
                    .containsEntry("CAPSYNC_COPIED", "3")
                    .containsEntry("CAPSYNC_UNCHANGED", "0")
                    .containsEntry("CAPSYNC_SKIPPED", "1")
                    .containsEntry("CAPSYNC_FAILED", "0")
                    .containsEntry("CAPSYNC_STALE", "1")
                    .containsEntry("CAPSYNC_STALE_CAPS", "CAP_003")
                    .containsEntry("CAPSYNC_SUMMARY", first.lastLine())
                    .containsEntry("CAPSYNC_LOG", site.home().resolve("logs/client-lkp.log").toString())
                    .doesNotContainKey("CAPSYNC_DB_PASSWORD").doesNotContainKey("CAPSYNC_SMB_PASSWORD");
            assertThat(first.lastLine()).as("the summary stays the last line").startsWith("client-lkp: 3 copied");
            Files.delete(hookEnv);

            second = Cli.run(site, "run", site.jobFile().toString());
            assertThat(second.exitCode()).isEqualTo(3);
            Map<String, Double> again = PromFile.samples(metrics.resolve(PROM));
            assertThat(again.get("capsync_stale_oldest_since_timestamp_seconds{" + job + "}"))
                    .as("still stale since the first run, not since this one").isCloseTo(staleSince, within(0.0011));
            assertThat(again).containsEntry("capsync_caps{" + job + ",status=\"SKIPPED\"}", 1.0)
                    .containsEntry("capsync_caps{" + job + ",status=\"UNCHANGED\"}", 3.0)
                    .containsEntry("capsync_last_run_execution_id{" + job + "}", (double) executionId(second));
            assertThat(hookEnvironment()).containsEntry("CAPSYNC_SKIPPED", "1").containsEntry("CAPSYNC_UNCHANGED", "3");
            Files.delete(hookEnv);
        }

        Cli.Result third = Cli.run(site, "run", site.jobFile().toString());

        assertThat(third.exitCode()).isZero();
        Map<String, Double> current = PromFile.samples(metrics.resolve(PROM));
        assertThat(current).containsEntry("capsync_last_run_exit_code{job=\"client-lkp\"}", 0.0)
                .containsEntry("capsync_stale_caps{job=\"client-lkp\"}", 0.0)
                .containsEntry("capsync_caps{job=\"client-lkp\",status=\"COPIED\"}", 1.0)
                .doesNotContainKey("capsync_stale_oldest_since_timestamp_seconds{job=\"client-lkp\"}");
        assertThat(hookEnv).as("on-skips does not run after a clean run").doesNotExist();
    }

    @Test
    void aBrokenCapListRunsOnFailureWithTheReasonAndIsExitTwoInTheMetrics() throws Exception {
        site.extraJobLines("metrics: ../metrics\non-failure: 'env > " + hookEnv + "'\non-skips: 'touch " + dir.resolve("wrong-hook") + "'\n");
        Files.writeString(site.capsFile(), "name,path\nCAP_001,/x\nCAP_001,/y\n");

        Cli.Result result = Cli.run(site, "run", site.jobFile().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        Map<String, Double> m = PromFile.samples(metrics.resolve(PROM));
        assertThat(m).containsEntry("capsync_last_run_exit_code{job=\"client-lkp\"}", 2.0)
                .doesNotContainKey("capsync_stale_caps{job=\"client-lkp\"}");
        Map<String, String> env = hookEnvironment();
        assertThat(env).containsEntry("CAPSYNC_EXIT_CODE", "2").containsEntry("CAPSYNC_STATUS", "BAD_INPUT")
                .containsEntry("CAPSYNC_EXECUTION_ID", "").containsEntry("CAPSYNC_COPIED", "");
        assertThat(env.get("CAPSYNC_MESSAGE")).contains("caps.csv:3").contains("duplicate CAP name");
        assertThat(dir.resolve("wrong-hook")).doesNotExist();
    }

    @Test
    void aHookThatHangsIsKilledAfterItsTimeoutAndOneThatFailsLeavesTheExitCodeAlone() throws Exception {
        Path marker = dir.resolve("hang-started");
        site.extraJobLines("on-skips: 'touch " + marker + "; sleep 60'\n");
        Files.write(site.capFile("CAP_001"), TestSite.bytes(10, 6));
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2))) {
            long t0 = System.nanoTime();
            Cli.Result hung = Cli.run(site, Map.of("CAPSYNC_HOOK_TIMEOUT", "1"), "run", site.jobFile().toString());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            assertThat(hung.exitCode()).isEqualTo(3);
            assertThat(marker).exists();
            assertThat(took).isLessThan(Duration.ofSeconds(40));
            assertThat(jobLog()).contains("on-skips: 'touch").contains("did not finish within 1s and was killed");

            site.extraJobLines("on-skips: 'echo hook says hello; exit 7'\n");
            Cli.Result failed = Cli.run(site, "run", site.jobFile().toString());

            assertThat(failed.exitCode()).isEqualTo(3);
            assertThat(jobLog()).contains("on-skips> hook says hello").contains("exited 7; capsync's exit code stays 3");
            assertThat(failed.lastLine()).startsWith("client-lkp: ");
        }
    }

    @Test
    void aMissingMetricsFolderIsLoggedAndTheRunKeepsItsExitCode() throws IOException {
        Cli.Result result = Cli.run(site, Map.of("CAPSYNC_METRICS_DIR", dir.resolve("no-such-folder").toString()),
                "run", site.jobFile().toString());

        assertThat(result.exitCode()).isZero();
        assertThat(jobLog()).contains("cannot write metrics").contains("no-such-folder");
    }

    @Test
    void theEnvironmentVariableNamesTheMetricsFolderWhenTheJobFileDoesNot() throws Exception {
        Cli.Result result = Cli.run(site, Map.of("CAPSYNC_METRICS_DIR", metrics.toString()), "run", site.jobFile().toString());

        assertThat(result.exitCode()).isZero();
        assertThat(PromFile.samples(metrics.resolve(PROM))).containsEntry("capsync_caps{job=\"client-lkp\",status=\"COPIED\"}", 4.0);
    }

    @Test
    void aBadHookTimeoutIsExitTwoBeforeAnyCapIsTouched() {
        Cli.Result result = Cli.run(site, Map.of("CAPSYNC_HOOK_TIMEOUT", "soon"), "run", site.jobFile().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("CAPSYNC_HOOK_TIMEOUT");
        assertThat(site.capFile("CAP_001")).doesNotExist();
    }

    /** The job's log file: where the console's lines also go, and what an in-process run can be checked by. */
    private String jobLog() throws IOException {
        return Files.readString(site.home().resolve("logs/client-lkp.log"));
    }

    private Map<String, String> hookEnvironment() throws IOException {
        assertThat(hookEnv).as("the hook ran").exists();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(hookEnv)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static long executionId(Cli.Result result) {
        Matcher m = Pattern.compile("\\(execution (\\d+), ").matcher(result.lastLine());
        assertThat(m.find()).as(result.lastLine()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static double seconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }
}
