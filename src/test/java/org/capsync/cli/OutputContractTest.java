package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.SambaServer;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scripts parse stdout: every command prints only its documented output there, with an smb:// CAP (whose library logs
 * at INFO) and hooks in the job. capsync runs as a child process, so that whatever reaches the real stdout is seen.
 */
class OutputContractTest {

    /** The raw Logback line: what an unconfigured Logback prints for every library's INFO line. */
    private static final Pattern RAW_LOGBACK = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SambaServer samba = SambaServer.forTestClass().guestShare("caps").build();

    @TempDir
    Path dir;

    @Test
    void everyCommandPrintsOnlyItsDocumentedOutputOnStdout() throws Exception {
        TestSite site = TestSite.withCaps(dir, 1).addSmbCap("SMB_CAP", samba, "caps")
                .extraJobLines("on-failure: echo hook said failure\non-skips: echo hook said skips\n");
        // A CAP whose folder is gone: FAILED, so the run ends with exit 3 and its on-skips hook runs.
        site.addCap("GONE_CAP");
        site.writeJob();
        java.nio.file.Files.delete(site.capRoot("GONE_CAP").resolve("clidata.box"));

        String run = stdout(site, 3, "run", "job.yml");
        List<String> lines = run.strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).matches("client-lkp: 2 copied, 0 unchanged, 0 skipped, 1 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)");
        for (String line : lines) {
            assertThat(line).as("a run's stdout: its console lines (HH:mm:ss ...) and the summary").matches("\\d\\d:\\d\\d:\\d\\d (?!\\d).*|client-lkp: .*");
        }
        // The on-skips hook's output: logged line by line on the console, before the summary (docs/monitoring.md).
        assertThat(lines.subList(0, lines.size() - 1)).anyMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d .*on-skips> hook said skips"));
        Matcher execution = Pattern.compile("\\(execution (\\d+),").matcher(run);
        assertThat(execution.find()).isTrue();

        json(site, "history", "client-lkp", "--json");
        json(site, "history", "--json");
        json(site, "show", execution.group(1), "--json");
        json(site, "show", execution.group(1), "--attempts", "--json");
        json(site, "caps", "client-lkp", "--json");
        json(site, "verify", "job.yml", "--json");
        json(site, "purge", "--older-than", "90d", "--dry-run", "--json");
        java.nio.file.Path html = site.root().resolve("report.html");
        assertThat(stdout(site, 0, "report", "client-lkp", "--html", html.toString()).strip())
                .matches("client-lkp: report on 1 executions, 3 CAPs, 1 not current: " + Pattern.quote(html.toString()));
        String csv = stdout(site, 3, "verify", "job.yml", "--csv");
        assertThat(csv.lines().findFirst().orElse("")).as(csv).doesNotContain(" INFO ").contains(",");
        assertThat(csv).doesNotContainPattern(RAW_LOGBACK);

        json(site, "purge", "--older-than", "90d", "--json");
        // Bad input after the job file was read: exit 2, and the on-failure hook's output is no raw Logback line.
        String refused = stdout(site, 2, "run", "job.yml", "--threads", "0");
        assertThat(refused).doesNotContainPattern(RAW_LOGBACK).doesNotContain("INFO");
    }

    private static void json(TestSite site, String... args) throws Exception {
        String out = stdout(site, -1, args);
        JsonNode parsed = JSON.readTree(out);
        assertThat(parsed).as(String.join(" ", args) + ":\n" + out).isNotNull();
        assertThat(out).doesNotContainPattern(RAW_LOGBACK);
    }

    /** The command's stdout, after checking its exit code ({@code -1}: 0 or 3, as a listing of a job with a failed CAP may end). */
    private static String stdout(TestSite site, int exitCode, String... args) throws Exception {
        try (CapsyncProcess process = CapsyncProcess.run(site, args)) {
            int code = process.waitFor(Duration.ofSeconds(120));
            if (exitCode >= 0) {
                assertThat(code).as(String.join(" ", args) + "\n" + process.output()).isEqualTo(exitCode);
            } else {
                assertThat(code).as(String.join(" ", args) + "\n" + process.output()).isIn(0, 3);
            }
            assertThat(process.out()).as(String.join(" ", args)).doesNotContainPattern(RAW_LOGBACK);
            return process.out();
        }
    }
}
