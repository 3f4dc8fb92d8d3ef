package org.capsync.console;

/**
 * How {@code capsync run} talks on its console. The summary line is printed last on stdout in every mode.
 * <ul>
 * <li>{@code LIVE}: stdout is a terminal: a progress bar, with the attempts that were not a plain success above it.</li>
 * <li>{@code PLAIN}: cron, Task Scheduler, a pipe: no bar, no colour; one line per attempt that was not a plain
 * success (in use and retried, skipped, failed) and warnings.</li>
 * <li>{@code QUIET}: only problems (skipped or failed CAPs, warnings), on a terminal or not.</li>
 * </ul>
 */
public enum ConsoleMode {
    LIVE, PLAIN, QUIET;

    public static ConsoleMode choose(boolean terminal, boolean quiet) {
        return quiet ? QUIET : terminal ? LIVE : PLAIN;
    }

    /** The lowest level of attempt lines the console shows (the job log has them all). */
    public String attemptsThreshold() {
        return this == QUIET ? "WARN" : "INFO";
    }
}
