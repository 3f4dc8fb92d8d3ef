package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.capsync.support.CapsyncProcess;
import org.capsync.support.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a newcomer runs first: retry → copied, retry → skipped, exit 3; the second run finds the CAPs unchanged. */
class DemoTest {

    @TempDir
    Path home;

    @Test
    void demoShowsRetryThenCopiedAndRetryThenSkippedThenUnchangedOnTheSecondRun() throws Exception {
        // As a newcomer runs it: its own process, output to a pipe.
        String first;
        try (CapsyncProcess demo = CapsyncProcess.start(home, home, "demo")) {
            assertThat(demo.waitFor(Duration.ofSeconds(120))).as(demo.output()).isEqualTo(3);
            first = demo.out();
        }

        assertThat(first).contains("Demo site created in " + home.resolve("demo"))
                .containsPattern("demo: 19 copied, 0 unchanged, 1 skipped, 0 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)")
                .contains("./capsync history demo");
        assertThat(first).contains("demo CAP_07 client.lkp: in use").containsPattern("demo CAP_07 client.lkp: copied \\(\\d+ bytes\\), attempt [2-4]/4");
        assertThat(first).contains("demo CAP_13 client.lkp: in use").contains("attempt 4/4, skipped");
        assertThat(Files.readString(home.resolve("logs/demo.log"))).contains("demo CAP_13 client.lkp: in use");

        try (CapsyncProcess again = CapsyncProcess.start(home, home, "demo")) {
            assertThat(again.waitFor(Duration.ofSeconds(120))).as(again.output()).isEqualTo(3);
            assertThat(again.out()).containsPattern("demo: 0 copied, 19 unchanged, 1 skipped, 0 failed");
        }
    }

    /**
     * A second demo while one runs: exit 4 before it touches anything, so the running demo keeps its site (no
     * {@code --reset} under it) and no second pair of simulated clients holds its files; the first ends as usual.
     */
    @ParameterizedTest(name = "demo {0}")
    @ValueSource(strings = {"--reset", "without options"})
    void aSecondDemoWhileOneRunsExits4BeforeTouchingTheSite(String option) throws Exception {
        try (CapsyncProcess first = CapsyncProcess.start(home, home, "demo")) {
            awaitRetrying(first);
            Path marker = home.resolve("demo/still-here");
            Files.writeString(marker, "the running demo's site");

            try (CapsyncProcess second = option.equals("--reset")
                    ? CapsyncProcess.start(home, home, "demo", "--reset")
                    : CapsyncProcess.start(home, home, "demo")) {
                assertThat(second.waitFor(Duration.ofSeconds(60))).as(second.output()).isEqualTo(4);
                assertThat(second.err()).contains("another run of job 'demo' is in progress");
                assertThat(second.out()).as("it started its clients or touched the site").doesNotContain("Clients hold").doesNotContain("Demo site");
            }
            assertThat(marker).as("the site was made anew under the running demo").exists();

            assertThat(first.waitFor(Duration.ofSeconds(120))).as(first.output()).isEqualTo(3);
            assertThat(first.out()).containsPattern("demo: 19 copied, 0 unchanged, 1 skipped, 0 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)");
        }
    }

    private void awaitRetrying(CapsyncProcess demo) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && demo.isAlive()) {
            try {
                if (Files.exists(home.resolve("repository/capsync.lock.db"))
                        && Repository.count(home, "SELECT COUNT(*) FROM CAPSYNC_PAIR WHERE STATUS = 'RETRY'") > 0) {
                    return;
                }
            } catch (IllegalStateException schemaNotThereYet) {
                // the demo is still creating the repository
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the demo never got to its retries\n" + demo.output());
    }
}
