package org.capsync.run;

import java.time.Instant;

import org.capsync.copy.CopyOutcome;
import org.capsync.repository.PairStatus;

/**
 * One attempt at a pair and what follows from it: the pair's new status and, for RETRY, when it is tried next.
 */
public record PairAttempt(Pair pair, int attempt, Instant started, CopyOutcome outcome, PairStatus status, Instant nextAttempt) {
}
