package org.capsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.capsync.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a newcomer runs first: retry → copied, retry → skipped, exit 3; the second run finds the CAPs unchanged. */
class DemoTest {

    @TempDir
    Path home;

    @Test
    void demoShowsRetryThenCopiedAndRetryThenSkippedThenUnchangedOnTheSecondRun() throws Exception {
        Cli.Result first = Cli.run(home, home, "demo");

        assertThat(first.exitCode()).as(first.err()).isEqualTo(3);
        assertThat(first.out()).contains("Demo site created in " + home.resolve("demo"))
                .containsPattern("demo: 19 copied, 0 unchanged, 1 skipped, 0 failed \\(execution \\d+, COMPLETED_WITH_SKIPS\\)")
                .contains("./capsync history demo");
        String log = Files.readString(home.resolve("logs/demo.log"));
        assertThat(log).contains("demo CAP_07 client.lkp: in use").containsPattern("demo CAP_07 client.lkp: copied \\(\\d+ bytes\\), attempt [2-4]/4");
        assertThat(log).contains("demo CAP_13 client.lkp: in use").contains("attempt 4/4, skipped");

        Cli.Result second = Cli.run(home, home, "demo");

        assertThat(second.exitCode()).isEqualTo(3);
        assertThat(second.out()).containsPattern("demo: 0 copied, 19 unchanged, 1 skipped, 0 failed");
    }
}
