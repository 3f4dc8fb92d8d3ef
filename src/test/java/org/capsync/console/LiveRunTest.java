package org.capsync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.capsync.support.Cli;
import org.capsync.support.TestSite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code capsync run} on a terminal, the real job on an H2 file repository: the bar ends on the run's own counts. */
class LiveRunTest {

    @TempDir
    Path dir;

    @Test
    void theBarOfEachRunEndsOnThatRunsCounts() {
        TestSite site = TestSite.withCaps(dir, 3);

        Cli.Result first = Cli.runOnTerminal(site, "run", site.jobFile().toString());
        Cli.Result second = Cli.runOnTerminal(site, "run", site.jobFile().toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(finalBar(first)).contains("3/3 CAPs").contains("3 copied");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(finalBar(second)).contains("3/3 CAPs").contains("0 copied");
    }

    /** The bar as left on screen: the last redraw of the line before the summary. */
    private static String finalBar(Cli.Result result) {
        String[] lines = result.out().strip().split("\n");
        String[] redraws = lines[lines.length - 2].split("\r");
        return redraws[redraws.length - 1];
    }
}
