package org.capsync.history;

import java.time.Instant;
import java.util.List;

/**
 * What one execution did at one (CAP, file), as {@code capsync show} lists it. An execution that was stopped or killed
 * before a pair's final outcome shows it as RETRY (left in use, to be tried again).
 *
 * @param attempts   the attempt count the pair reached in this execution (a restart continues its predecessor's count)
 * @param durationMs time spent on the pair's attempts in this execution
 * @param bytes      bytes written when this execution copied the file, else null
 * @param sha256     SHA-256 the CAP holds after a COPIED or UNCHANGED outcome, else null
 * @param error      the reason of the last attempt that did not succeed, or null
 * @param attemptLog every attempt of this execution, when asked for ({@code --attempts}), else empty
 * @param worker     the process that made the outcome ({@code host:pid}: a worker's, or the site server's for a local
 *                   run), or null when unknown (an outcome recorded before capsync recorded it, or made by a later
 *                   execution)
 */
public record PairOutcome(long pairId, String cap, String file, String status, int attempts, Long bytes, String sha256,
        long durationMs, Instant start, Instant end, String error, List<Attempt> attemptLog, String worker) {

    public PairOutcome {
        attemptLog = List.copyOf(attemptLog);
    }

    PairOutcome withAttemptLog(List<Attempt> log) {
        return new PairOutcome(pairId, cap, file, status, attempts, bytes, sha256, durationMs, start, end, error, log, worker);
    }

    /** One attempt at one (CAP, file): when, how long, with which result (COPIED, UNCHANGED, IN_USE, FAILED) and why. */
    public record Attempt(int attempt, Instant time, long durationMs, String result, String reason) {
    }
}
