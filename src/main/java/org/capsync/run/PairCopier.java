package org.capsync.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.capsync.copy.CopyOutcome;
import org.capsync.copy.TargetCopier;
import org.capsync.definition.Durations;
import org.capsync.definition.RetrySettings;
import org.capsync.repository.PairStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one pair, and the decision that follows: copied or unchanged, failed for good, or in use, which means
 * another attempt after the backoff until the attempts run out and the CAP is skipped. Logs one line per attempt.
 */
final class PairCopier {

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
        // A first-time success is routine (debug), and the common case: its line is not even built then.
        boolean logSuccess = attempt > 1 || log.isDebugEnabled();
        switch (outcome.kind()) {
            case COPIED -> {
                status = PairStatus.COPIED;
                if (logSuccess) {
                    logSuccess(attempt, prefix(pair) + "copied (" + outcome.bytes() + " bytes), " + of(attempt));
                }
            }
            case UNCHANGED -> {
                status = PairStatus.UNCHANGED;
                if (logSuccess) {
                    logSuccess(attempt, prefix(pair) + "unchanged, " + of(attempt));
                }
            }
            case FAILED -> {
                status = PairStatus.FAILED;
                log.warn("{}failed: {}, {}", prefix(pair), outcome.reason(), of(attempt));
            }
            default -> {
                if (attempt < retry.attempts()) {
                    Duration wait = retry.delayBefore(attempt + 1);
                    status = PairStatus.RETRY;
                    next = clock.instant().plus(wait);
                    // INFO, not WARN: the CAP may still be copied; a quiet console shows only CAPs left behind.
                    log.info("{}{}, {}, retry in {}", prefix(pair), outcome.reason(), of(attempt), Durations.format(wait));
                } else {
                    status = PairStatus.SKIPPED;
                    log.warn("{}{}, {}, skipped", prefix(pair), outcome.reason(), of(attempt));
                }
            }
        }
        return new PairAttempt(pair, attempt, started, outcome, status, next);
    }

    private String prefix(Pair pair) {
        return jobName + " " + pair.target().describe() + ": ";
    }

    private String of(int attempt) {
        return "attempt " + attempt + "/" + retry.attempts();
    }

    private static void logSuccess(int attempt, String line) {
        if (attempt > 1) {
            log.info(line);
        } else {
            log.debug(line);
        }
    }
}
