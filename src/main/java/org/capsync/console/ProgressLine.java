package org.capsync.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.capsync.definition.Durations;
import org.capsync.history.RunProgress;

/**
 * The progress bar's one line, fitted to the terminal's width, e.g.
 * {@code client-lkp ██████▒░░░ 12/20 CAPs  9 copied  1 skipped  0 failed  1 retrying  ETA 4s}.
 */
final class ProgressLine {

    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 30;

    private ProgressLine() {
    }

    /** A piece of the line: its text as it takes room, and as printed (with colour codes). */
    private record Part(String text, String printed) {

        static Part of(String text, String colour, Style style) {
            return new Part(text, style.paint(colour, text));
        }
    }

    static String render(String job, Optional<RunProgress> state, Optional<Duration> eta, Instant now, int width,
            Style style) {
        if (state.isEmpty() || !state.get().planned()) {
            return fit(List.of(Part.of(job, Style.BOLD, style),
                    Part.of("starting: snapshot of the source, plan of the CAPs...", Style.DIM, style)), width, true);
        }
        // The widest form that fits: with the job's name and "CAPs", then without the name, then without "CAPs".
        for (int form = 0; form < 3; form++) {
            List<Part> tail = counts(state.get(), eta, now, form < 2, style);
            boolean named = form == 0;
            int room = width - 1 - tail.stream().mapToInt(t -> t.text().length() + 2).sum() - (named ? job.length() + 1 : 0);
            if (room >= MIN_BAR || form == 2) {
                List<Part> parts = new ArrayList<>();
                if (named) {
                    parts.add(Part.of(job, Style.BOLD, style));
                }
                parts.add(bar(state.get(), Math.max(MIN_BAR, Math.min(MAX_BAR, room)), style));
                parts.addAll(tail);
                return fit(parts, width, named);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static List<Part> counts(RunProgress p, Optional<Duration> eta, Instant now, boolean caps, Style style) {
        List<Part> tail = new ArrayList<>();
        tail.add(Part.of(p.capsDone() + "/" + p.caps() + (caps ? " CAPs" : ""), "", style));
        tail.add(Part.of(p.copied() + " copied", p.copied() > 0 ? Style.GREEN : "", style));
        tail.add(Part.of(p.skipped() + " skipped", p.skipped() > 0 ? Style.YELLOW : "", style));
        tail.add(Part.of(p.failed() + " failed", p.failed() > 0 ? Style.RED : "", style));
        tail.add(Part.of(p.retrying() + " retrying", p.retrying() > 0 ? Style.CYAN : "", style));
        if (p.pending() > 0) {
            tail.add(Part.of("ETA " + eta.map(ProgressLine::duration).orElse("?"), Style.DIM, style));
        } else if (p.nextRetry() != null) {
            Duration wait = Duration.between(now, p.nextRetry());
            tail.add(Part.of(wait.toMillis() <= 0 ? "retry now" : "retry in " + duration(wait), Style.DIM, style));
        }
        return tail;
    }

    /** Finished pairs filled, pairs waiting for a retry shaded, untried ones empty. */
    private static Part bar(RunProgress p, int width, Style style) {
        int done = p.pairs() - p.pending() - p.retrying();
        int full = (int) ((long) done * width / p.pairs());
        int waiting = Math.min(width - full, (int) Math.ceil((double) p.retrying() * width / p.pairs()));
        String fill = String.valueOf(style.unicode() ? '\u2588' : '#').repeat(full);
        String wait = String.valueOf(style.unicode() ? '\u2592' : '~').repeat(waiting);
        String empty = String.valueOf(style.unicode() ? '\u2591' : '.').repeat(width - full - waiting);
        return new Part(fill + wait + empty,
                style.paint(Style.GREEN, fill) + style.paint(Style.CYAN, wait) + style.paint(Style.DIM, empty));
    }

    /**
     * The parts, two spaces apart (one after the job's name), as many as fit in the width (a narrow terminal loses the
     * last ones).
     */
    private static String fit(List<Part> parts, int width, boolean named) {
        StringBuilder line = new StringBuilder();
        int visible = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            String gap = i == 0 ? "" : i == 1 && named ? " " : "  ";
            if (visible + gap.length() + part.text().length() > width - 1) {
                break;
            }
            line.append(gap).append(part.printed());
            visible += gap.length() + part.text().length();
        }
        return line.toString();
    }

    /** Whole seconds at least: the bar has no use for milliseconds. */
    private static String duration(Duration d) {
        return Durations.format(Duration.ofSeconds(Math.max(1, (d.toMillis() + 999) / 1000)));
    }

    /** How many characters of {@code line} the terminal shows (its colour codes take no room). */
    static int visibleLength(String line) {
        return line.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }
}
