package org.capsync.history;

import java.time.Instant;

/**
 * How far the running execution has got, from its instance's {@code CAPSYNC_PAIR} rows.
 *
 * @param caps       CAPs in the run
 * @param capsDone   CAPs all of whose files are finished (copied, unchanged, skipped or failed), by this execution or
 *                   by the one it resumes
 * @param pairs      (CAP, file) pairs in the run
 * @param pending    pairs not tried yet
 * @param retrying   pairs in use at their last attempt, waiting for the next
 * @param copied     pairs this execution copied (likewise unchanged, skipped, failed): the summary line's counts
 * @param nextRetry  when the next retry is due, or null
 */
public record RunProgress(long executionId, int caps, int capsDone, int pairs, int pending, int retrying, int copied,
        int unchanged, int skipped, int failed, Instant nextRetry) {

    /** Planned: the run has its (CAP, file) rows, so there is something to count. */
    public boolean planned() {
        return pairs > 0;
    }

    /** Pairs tried at least once: what the first pass has got through. */
    public int tried() {
        return pairs - pending;
    }
}
