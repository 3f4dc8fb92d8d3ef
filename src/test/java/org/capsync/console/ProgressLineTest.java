package org.capsync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import org.capsync.history.RunProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The progress bar's line: fitted to the terminal, coloured only when asked, and log lines printed above it. */
class ProgressLineTest {

    private static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");
    private static final RunProgress HALF = new RunProgress(7, 20, 10, 20, 9, 1, 8, 1, 0, 1, null);
    private static final RunProgress RETRIES_LEFT = new RunProgress(7, 20, 19, 20, 0, 1, 18, 0, 0, 1, NOW.plusSeconds(4));

    @ParameterizedTest
    @ValueSource(ints = {40, 60, 80, 100, 200})
    void theLineFitsTheTerminalWidth(int width) {
        String line = ProgressLine.render("client-lkp", Optional.of(HALF), Optional.of(Duration.ofSeconds(65)), NOW, width,
                new Style(true, true));

        assertThat(ProgressLine.visibleLength(line)).isLessThan(width);
        assertThat(line.replaceAll("\u001b\\[[0-9;]*m", "")).contains("10/20");
    }

    @Test
    void at100ColumnsTheLineHasTheJobTheBarAndEveryCount() {
        String line = ProgressLine.render("client-lkp", Optional.of(HALF), Optional.of(Duration.ofSeconds(65)), NOW, 100, Style.PLAIN);

        assertThat(line).matches("client-lkp [#~.]{10,30}  10/20 CAPs  8 copied  0 skipped  1 failed  1 retrying  ETA 1m5s");
        assertThat(line).doesNotContain("\u001b");
    }

    @Test
    void at80ColumnsTheJobNameMakesRoomForTheCounts() {
        String line = ProgressLine.render("client-lkp", Optional.of(HALF), Optional.of(Duration.ofSeconds(65)), NOW, 80, Style.PLAIN);

        assertThat(line).matches("[#~.]{10,30}  10/20 CAPs  8 copied  0 skipped  1 failed  1 retrying  ETA 1m5s");
    }

    @Test
    void whenOnlyRetriesAreLeftItSaysWhenTheNextIsDue() {
        String line = ProgressLine.render("client-lkp", Optional.of(RETRIES_LEFT), Optional.of(Duration.ZERO), NOW, 100,
                new Style(true, true));

        assertThat(line.replaceAll("\u001b\\[[0-9;]*m", ""))
                .matches("client-lkp [\u2588\u2592\u2591]{10,30}  19/20 CAPs  18 copied  0 skipped  1 failed  1 retrying  retry in 4s");
        assertThat(line).contains("\u001b[32m18 copied\u001b[0m", "\u001b[31m1 failed\u001b[0m", "\u001b[36m1 retrying\u001b[0m");
    }

    @Test
    void beforeThePlanItSaysTheRunIsStarting() {
        assertThat(ProgressLine.render("client-lkp", Optional.empty(), Optional.empty(), NOW, 80, Style.PLAIN))
                .isEqualTo("client-lkp starting: snapshot of the source, plan of the CAPs...");
    }

    @Test
    void logLinesArePrintedAboveTheBarWhichIsRedrawnBelowThemAndLeftInItsFinalState() {
        StringWriter screen = new StringWriter();
        AtomicReference<Optional<RunProgress>> progress = new AtomicReference<>(Optional.of(HALF));
        LiveConsole console = LiveConsole.start(new PrintWriter(screen), "client-lkp", progress::get, Style.PLAIN, () -> 80,
                Clock.fixed(NOW, ZoneOffset.UTC), false);
        console.logLine(Level.INFO, "03:00:01 client-lkp CAP_002 client.lkp: in use, attempt 1/3, retry in 2s");
        progress.set(Optional.of(new RunProgress(7, 20, 20, 20, 0, 0, 18, 1, 0, 1, null)));
        console.close();

        String[] lines = screen.toString().split("\n");
        assertThat(lines).hasSize(2);
        // The bar may or may not have been drawn (and erased) before the log line: the line ends up alone on its own.
        assertThat(lines[0]).endsWith("03:00:01 client-lkp CAP_002 client.lkp: in use, attempt 1/3, retry in 2s")
                .matches("(?s)(.*\r +\r)?03:00:01 [^\r]*");
        String[] redraws = lines[1].split("\r");
        assertThat(redraws[redraws.length - 1]).matches("client-lkp #{10,30}  20/20 CAPs  18 copied  0 skipped  1 failed  0 retrying");
    }
}
