package org.capsync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.capsync.demo.ClientSimulator;
import org.capsync.support.CapsyncProcess;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code capsync run} prints, in a real child process: on a terminal (a pseudo-terminal made by util-linux
 * {@code script}) a live progress bar with the problem lines above it; under cron (stdout a file) no bar, no colour, one
 * line per attempt that was not a plain success and the summary last; with --quiet only the CAPs left behind.
 * The site: 5 CAPs, a client holds CAP_002's file throughout (3 attempts: 2 retries, then skipped), CAP_004's folder is
 * missing (failed at once), the other three are copied at the first try.
 */
class ConsoleOutputTest {

    private static final String SUMMARY = "client-lkp: 3 copied, 0 unchanged, 1 skipped, 1 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)";

    @TempDir
    Path dir;

    private TestSite site() throws IOException {
        TestSite site = TestSite.withCaps(dir, 5);
        Files.write(site.capFile("CAP_002"), new byte[] {1});
        Files.delete(site.capFile("CAP_004").getParent());
        return site;
    }

    @Test
    void underCronThereIsNoBarNoColourAndOneLinePerAttemptThatWasNotAPlainSuccess() throws Exception {
        TestSite site = site();
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml")) {
            assertThat(run.waitFor(Duration.ofMinutes(2))).as(run.err()).isEqualTo(3);

            String out = run.out();
            assertThat(out).doesNotContain("\u001b", "\r");
            List<String> lines = out.lines().toList();
            assertThat(lines).as(out).hasSize(5);
            assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d client-lkp CAP_00[24] client.lkp: .*");
            assertThat(lines.subList(0, 4)).as(out)
                    .anySatisfy(l -> assertThat(l).contains("CAP_002 client.lkp: in use").endsWith("attempt 1/3, retry in 200ms"))
                    .anySatisfy(l -> assertThat(l).contains("CAP_002 client.lkp: in use").endsWith("attempt 2/3, retry in 400ms"))
                    .anySatisfy(l -> assertThat(l).contains("CAP_002 client.lkp: in use").endsWith("attempt 3/3, skipped"))
                    .anySatisfy(l -> assertThat(l).contains("CAP_004 client.lkp: failed: ").contains("clidata.box").endsWith("attempt 1/3"));
            assertThat(lines.get(4)).matches(SUMMARY);
            assertThat(out).doesNotContain("CAP_001", "CAP_003", "CAP_005");
        }
    }

    @Test
    void quietShowsOnlyTheCapsLeftBehindAndTheSummary() throws Exception {
        TestSite site = site();
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2));
             CapsyncProcess run = CapsyncProcess.run(site, "run", "job.yml", "--quiet")) {
            assertThat(run.waitFor(Duration.ofMinutes(2))).as(run.err()).isEqualTo(3);

            List<String> lines = run.out().lines().toList();
            assertThat(lines).as(run.out()).hasSize(3);
            assertThat(lines.subList(0, 2)).anySatisfy(l -> assertThat(l).contains("CAP_002 client.lkp: in use").endsWith("attempt 3/3, skipped"))
                    .anySatisfy(l -> assertThat(l).contains("CAP_004 client.lkp: failed: "));
            assertThat(lines.get(2)).matches(SUMMARY);
            assertThat(run.out()).doesNotContain("retry in", "\u001b", "\r");
        }
    }

    @Test
    void onATerminalALiveProgressBarShowsTheCountsWithTheProblemLinesAboveIt() throws Exception {
        requireScript();
        TestSite site = site();
        Path typescript = dir.resolve("terminal.out");
        List<String> command = ClientSimulator.javaCommand();
        String line = command.stream().map(ConsoleOutputTest::quote).collect(Collectors.joining(" ")) + " run job.yml";
        try (ClientSimulator client = ClientSimulator.hold(site.capFile("CAP_002"), Duration.ofMinutes(2))) {
            ProcessBuilder builder = new ProcessBuilder("script", "-qfec", line, "/dev/null").directory(site.root().toFile())
                    .redirectInput(new File("/dev/null")).redirectOutput(typescript.toFile()).redirectErrorStream(true);
            builder.environment().put("CAPSYNC_HOME", site.home().toString());
            builder.environment().put("COLUMNS", "100");
            builder.environment().put("TERM", "xterm");
            builder.environment().remove("NO_COLOR");
            Process script = builder.start();
            assertThat(script.waitFor(2, TimeUnit.MINUTES)).as("capsync under script ended").isTrue();
            String screen = Files.readString(typescript);
            assertThat(script.exitValue()).as(screen).isEqualTo(3);

            // The bar: redrawn in place with carriage returns, in colour, with the counts; its final state shows all.
            assertThat(screen).contains("\r").contains("\u001b[32m");
            String plain = screen.replaceAll("\u001b\\[[0-9;]*m", "");
            assertThat(plain).containsPattern("client-lkp [\u2588\u2592\u2591#~.]{10,} +\\d/5 CAPs  \\d copied  \\d skipped  \\d failed  \\d retrying");
            assertThat(plain).contains("5/5 CAPs  3 copied  1 skipped  1 failed  0 retrying");
            // The problem lines scroll above the bar, each on a line of its own; the summary is the last line.
            List<String> printed = Arrays.stream(plain.split("\r?\n")).map(ConsoleOutputTest::lastRedraw).filter(l -> !l.isBlank()).toList();
            assertThat(printed).as(plain)
                    .anySatisfy(l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d client-lkp CAP_002 client.lkp: in use.*attempt 1/3, retry in 200ms"))
                    .anySatisfy(l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d client-lkp CAP_002 client.lkp: in use.*attempt 3/3, skipped"))
                    .anySatisfy(l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d client-lkp CAP_004 client.lkp: failed: .*"));
            assertThat(printed.get(printed.size() - 1)).matches(SUMMARY);
            assertThat(printed.get(printed.size() - 2)).contains("5/5 CAPs");
        }
    }

    /** What a terminal shows of a line that was redrawn after carriage returns: its last version. */
    private static String lastRedraw(String line) {
        String[] versions = line.split("\r");
        List<String> drawn = new ArrayList<>(Arrays.asList(versions));
        drawn.removeIf(String::isBlank);
        return drawn.isEmpty() ? "" : drawn.get(drawn.size() - 1).stripTrailing();
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** util-linux script makes the pseudo-terminal; Debian has it in every install (bsdutils). */
    private static void requireScript() {
        boolean present = new File("/usr/bin/script").canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("util-linux 'script' is needed for the terminal test (apt-get install bsdutils)");
        }
        Assumptions.assumeTrue(present, "util-linux 'script' is not installed");
    }
}
