package org.capsync.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.capsync.copy.CopyOutcome;
import org.capsync.copy.TargetCopier;
import org.capsync.definition.RetrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one pair, and the decision that follows: copied or unchanged, failed for good, or in use, which means
 * another attempt after the backoff until the attempts run out and the CAP is skipped. Logs one line per attempt.
 */
public final class PairCopier {

    private static final Logger log = LoggerFactory.getLogger("capsync.attempts");

    private final String jobName;
    private final TargetCopier copier;
    private final RetrySettings retry;
    private final Clock clock;

    public PairCopier(String jobName, TargetCopier copier, RetrySettings retry, Clock clock) {
        this.jobName = jobName;
        this.copier = copier;
        this.retry = retry;
        this.clock = clock;
    }

    public PairAttempt attempt(Pair pair, Snapshot snapshot) {
        int attempt = pair.attempts() + 1;
        Instant started = clock.instant();
        CopyOutcome outcome = copier.attempt(snapshot.file(pair.target().fileName()), pair.target());
        PairStatus status;
        Instant next = null;
        String prefix = jobName + " " + pair.target().describe() + ": ";
        String of = "attempt " + attempt + "/" + retry.attempts();
        switch (outcome.kind()) {
            case COPIED -> {
                status = PairStatus.COPIED;
                logSuccess(attempt, prefix + "copied (" + outcome.bytes() + " bytes), " + of);
            }
            case UNCHANGED -> {
                status = PairStatus.UNCHANGED;
                logSuccess(attempt, prefix + "unchanged, " + of);
            }
            case FAILED -> {
                status = PairStatus.FAILED;
                log.warn("{}failed: {}, {}", prefix, outcome.reason(), of);
            }
            default -> {
                if (attempt < retry.attempts()) {
                    Duration wait = retry.delayBefore(attempt + 1);
                    status = PairStatus.RETRY;
                    next = clock.instant().plus(wait);
                    // INFO, not WARN: the CAP may still be copied; a quiet console shows only CAPs left behind.
                    log.info("{}{}, {}, retry in {}", prefix, outcome.reason(), of, Durations.format(wait));
                } else {
                    status = PairStatus.SKIPPED;
                    log.warn("{}{}, {}, skipped", prefix, outcome.reason(), of);
                }
            }
        }
        return new PairAttempt(pair, attempt, started, outcome, status, next);
    }

    private static void logSuccess(int attempt, String line) {
        // A first-time success is routine; one that needed retries is worth a line in the run's output.
        if (attempt > 1) {
            log.info(line);
        } else {
            log.debug(line);
        }
    }
}
