package org.capsync.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;


/**
 * One job execution as {@code capsync history} lists it. The counts are the (CAP, file) pairs this execution itself
 * brought to a final outcome, as the summary line of {@code capsync run} counts them.
 *
 * @param status    Spring Batch's status, except that a completed run whose exit code says so is
 *                  {@code COMPLETED_WITH_SKIPS}
 * @param remaining pairs of its run still PENDING or RETRY, for the latest execution of a run (0 for earlier ones)
 * @param restartOf the execution of the same run (job instance) that this one resumed, or null
 * @param workers   the processes ({@code host:pid}) that made this execution's outcomes: its workers for a job on
 *                  workers, the site server's own process for a local run
 */
public record Execution(long executionId, String job, long instanceId, String status, Instant start, Instant end,
        int copied, int unchanged, int skipped, int failed, int remaining, Long restartOf, String exitMessage,
        List<String> workers) {

    public Execution {
        workers = workers == null ? List.of() : List.copyOf(workers);
    }

    /** Start to end, or to now for an execution still going; null if it never started. */
    public Duration duration(Instant now) {
        if (start == null) {
            return null;
        }
        return Duration.between(start, end != null ? end : now);
    }

    public boolean running() {
        return "STARTING".equals(status) || "STARTED".equals(status) || "STOPPING".equals(status);
    }
}
