package org.capsync.console;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import org.capsync.history.ProgressProbe;
import org.capsync.history.RunProgress;

/**
 * The live progress bar of {@code capsync run} on a terminal: one line redrawn in place ({@code \r}, padded with
 * spaces, so no cursor escape codes are needed), with the console's log lines printed above it. Lives for the run;
 * {@link #close()} draws the final state and leaves it on screen.
 */
public final class LiveConsole implements RunDisplay {

    static final Duration TICK = Duration.ofMillis(250);
    private static final Duration RESIZE_CHECK = Duration.ofSeconds(3);

    private final PrintWriter out;
    private final String job;
    private final Supplier<Optional<RunProgress>> probe;
    private final Style style;
    private final IntSupplier columns;
    private final Clock clock;
    private final Eta eta = new Eta();
    private final ScheduledExecutorService ticker;
    private final ConsoleRouting routing;

    private Optional<RunProgress> state = Optional.empty();
    private Optional<Duration> remaining = Optional.empty();
    private int width;
    private Instant widthCheckedAt;
    private int drawnWidth;
    private String drawn = "";

    private LiveConsole(PrintWriter out, String job, Supplier<Optional<RunProgress>> probe, Style style,
            IntSupplier columns, Clock clock, boolean routeLogs) {
        this.out = out;
        this.job = job;
        this.probe = probe;
        this.style = style;
        this.columns = columns;
        this.clock = clock;
        this.width = columns.getAsInt();
        this.widthCheckedAt = clock.instant();
        this.routing = routeLogs ? ConsoleRouting.to(this::logLine) : null;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "capsync-progress");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the bar for {@code job}: the console's log lines go above it until {@link #close()}. */
    public static LiveConsole start(PrintWriter out, String job, ProgressProbe probe, Style style,
            java.util.Map<String, String> env) {
        return start(out, job, probe::read, style, () -> TerminalSize.columns(env), Clock.systemUTC(), true);
    }

    static LiveConsole start(PrintWriter out, String job, Supplier<Optional<RunProgress>> probe, Style style,
            IntSupplier columns, Clock clock, boolean routeLogs) {
        LiveConsole console = new LiveConsole(out, job, probe, style, columns, clock, routeLogs);
        console.ticker.scheduleWithFixedDelay(console::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return console;
    }

    /** A console log line (an attempt that was not a plain success, a warning): above the bar, coloured by level. */
    synchronized void logLine(Level level, String text) {
        erase();
        String colour = level.isGreaterOrEqual(Level.WARN) ? Style.YELLOW : "";
        if (level.isGreaterOrEqual(Level.ERROR)) {
            colour = Style.RED;
        }
        out.println(style.paint(colour, text));
        draw();
    }

    private void tick() {
        Optional<RunProgress> read;
        try {
            read = probe.get();
        } catch (RuntimeException e) {
            return; // the repository is busy or closing: keep showing the last state
        }
        Instant now = clock.instant();
        synchronized (this) {
            state = read;
            state.ifPresent(p -> remaining = eta.update(now, p));
            if (Duration.between(widthCheckedAt, now).compareTo(RESIZE_CHECK) >= 0) {
                width = columns.getAsInt();
                widthCheckedAt = now;
            }
            draw();
        }
    }

    private void draw() {
        String line = ProgressLine.render(job, state, remaining, clock.instant(), width, style);
        if (drawnWidth > 0 && line.equals(drawn)) {
            return; // unchanged: a terminal recording stays small
        }
        drawn = line;
        int visible = ProgressLine.visibleLength(line);
        out.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - visible)) + "\r" + line);
        out.flush();
        drawnWidth = visible;
    }

    private void erase() {
        if (drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
    }

    /** Draws the final counts (the run has ended, so nothing is pending) and moves below the bar. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (routing != null) {
            routing.close();
        }
        Optional<RunProgress> last;
        try {
            last = probe.get();
        } catch (RuntimeException e) {
            last = Optional.empty();
        }
        synchronized (this) {
            if (last.isPresent()) {
                state = last;
            }
            draw();
            out.println();
            out.flush();
        }
    }
}
