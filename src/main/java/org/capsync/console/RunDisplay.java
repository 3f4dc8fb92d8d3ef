package org.capsync.console;

/** What a run shows on the console while it goes: a live progress bar, or nothing beyond the log lines. */
public interface RunDisplay extends AutoCloseable {

    /** Stops showing; whatever comes next (the summary line) prints below. */
    @Override
    void close();

    static RunDisplay none() {
        return () -> { };
    }
}
