package org.capsync.definition;

import java.time.Duration;

/** Durations as an administrator reads them in a log line: {@code 500ms}, {@code 4s}, {@code 1m30s}. */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        long rest = seconds % 60;
        if (minutes < 60) {
            return rest == 0 ? minutes + "m" : minutes + "m" + rest + "s";
        }
        return (minutes / 60) + "h" + (minutes % 60) + "m";
    }
}
