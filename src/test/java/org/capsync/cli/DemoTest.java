package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.capsync.support.CapsyncProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
