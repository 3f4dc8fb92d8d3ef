package org.capsync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.capsync.copy.FileDigest;
import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's log file, CAPSYNC_HOME/logs/JOB.log, after real runs (in child processes, as cron starts them: in this JVM
 * a cached Spring test context of another test class can keep Logback configured for its own log folder): the run's start with its parameters, the snapshot's
 * SHA-256, one line per attempt (first-try successes too), and the end with status and counts; and for a restart,
 * which execution it resumes and the snapshot it keeps using.
 */
class JobLogTest {

    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ";

    @TempDir
    Path dir;

    @Test
    void aRunWithASkipLogsItsStartParametersSnapshotEveryAttemptAndItsEnd() throws Exception {
        TestSite site = TestSite.withCaps(dir, 3);
        Files.write(site.capFile("CAP_002"), new byte[] {1});
        String sha256 = FileDigest.of(new ByteArrayInputStream(site.sourceBytes())).sha256();
        long execution;
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(run.waitFor(Duration.ofMinutes(2))).as(run.err()).isEqualTo(3);
            execution = executionOf(run.out());
        }

        List<String> log = Files.readAllLines(site.home().resolve("logs/client-lkp.log"));

        int start = indexOf(log, STAMP + "INFO  \\[main\\] capsync.run client-lkp: execution " + execution
                + " started, new run, instance \\d+; parameters definition=[0-9a-f]{64}, job.file=" + Pattern.quote(site.jobFile().toString())
                + ", run.id=1; by \\S+ on \\S+, pid \\d+");
        int settings = indexOf(log, ".* client-lkp: job file " + Pattern.quote(site.jobFile().toString())
                + "; source .*inbox files \\[client.lkp\\]; 3 CAPs enabled of 3 in .*caps.csv; target folder clidata.box; "
                + "threads 2; retry 3 attempts, delay 200ms x2.0 up to 1s");
        int snapshot = indexOf(log, ".* client-lkp snapshot client.lkp: 16384 bytes, sha256 " + sha256);
        int first = indexOf(log, STAMP + "DEBUG \\[capsync-copy-\\d\\] capsync.attempts client-lkp CAP_001 client.lkp: copied \\(16384 bytes\\), attempt 1/3");
        indexOf(log, ".*DEBUG .* client-lkp CAP_003 client.lkp: copied \\(16384 bytes\\), attempt 1/3");
        int retry = indexOf(log, STAMP + "INFO  .* client-lkp CAP_002 client.lkp: in use \\(.*\\), attempt 1/3, retry in 200ms");
        indexOf(log, ".*INFO  .* client-lkp CAP_002 client.lkp: in use \\(.*\\), attempt 2/3, retry in 400ms");
        int skip = indexOf(log, STAMP + "WARN  .* client-lkp CAP_002 client.lkp: in use \\(.*\\), attempt 3/3, skipped");
        int end = indexOf(log, STAMP + "INFO  \\[main\\] capsync.run client-lkp: execution " + execution
                + " ended COMPLETED_WITH_SKIPS after \\d+(ms|s): 2 copied, 0 unchanged, 1 skipped, 0 failed; "
                + "1 \\(CAP, file\\) pairs are not current");

        assertThat(List.of(start, settings, snapshot, first)).isSorted();
        assertThat(List.of(snapshot, retry, skip, end)).isSorted();
        assertThat(log.stream().filter(l -> l.contains("capsync.attempts"))).as("one line per attempt").hasSize(2 + 3);
    }

    @Test
    void aRestartSaysWhichExecutionItResumesAndWhichSnapshotItKeeps() throws Exception {
        TestSite site = TestSite.withCaps(dir, 2).retry("{ attempts: 30, delay: 1s, multiplier: 1 }");
        Files.write(site.capFile("CAP_001"), new byte[] {1});
        String sha256 = FileDigest.of(new ByteArrayInputStream(site.sourceBytes())).sha256();
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_001"), Duration.ofMinutes(2));
             CapsyncProcess killed = CapsyncProcess.run(site, "run", "job.yml")) {
            killed.awaitOnlyRetriesLeft(site.home());
            killed.killOnceWritten();
        }

        long execution;
        try (CapsyncProcess restart = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(restart.waitFor(Duration.ofMinutes(2))).as(restart.err()).isZero();
            execution = executionOf(restart.out());
        }
        List<String> log = Files.readAllLines(site.home().resolve("logs/client-lkp.log"));
        Matcher killedRun = Pattern.compile(".* client-lkp: execution (\\d+) started, new run, .*").matcher(log.get(0));
        assertThat(killedRun.matches()).as(log.get(0)).isTrue();
        int start = indexOf(log, ".* client-lkp: execution " + execution + " started, restart of execution "
                + killedRun.group(1) + " \\(FAILED\\), instance \\d+; parameters definition=[0-9a-f]{64}, job.file=.*, run.id=1; .*");
        int snapshot = indexOf(log, ".* client-lkp snapshot client.lkp: 16384 bytes, sha256 " + sha256
                + " \\(taken by an earlier execution of this run\\)");
        int copied = indexOf(log, ".* client-lkp CAP_001 client.lkp: copied \\(16384 bytes\\), attempt \\d+/30");
        int end = indexOf(log, ".* client-lkp: execution " + execution + " ended COMPLETED after .*: 1 copied, 0 unchanged, 0 skipped, 0 failed");
        assertThat(List.of(start, snapshot, copied, end)).isSorted();
    }

    private static long executionOf(String summary) {
        Matcher m = Pattern.compile("\\(execution (\\d+), ").matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The index of the (first) line matching the pattern, or a failure that shows the log. */
    private static int indexOf(List<String> log, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (int i = 0; i < log.size(); i++) {
            if (pattern.matcher(log.get(i)).matches()) {
                return i;
            }
        }
        throw new AssertionError("no line matches " + regex + " in the log:\n" + String.join("\n", log));
    }
}
