package org.capsync.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.capsync.history.RunProgress;

/**
 * Time left for the first pass, from its rate so far. Retries wait for their backoff, not for workers, so they are
 * shown as "next retry in", not folded into the estimate.
 */
final class Eta {

    private Instant since;
    private int triedThen;

    Optional<Duration> update(Instant now, RunProgress progress) {
        if (!progress.planned()) {
            return Optional.empty();
        }
        if (since == null) {
            since = now;
            triedThen = progress.tried();
            return Optional.empty();
        }
        int tried = progress.tried() - triedThen;
        long elapsed = Duration.between(since, now).toMillis();
        if (progress.pending() == 0) {
            return Optional.of(Duration.ZERO);
        }
        if (tried <= 0 || elapsed < 500) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(elapsed * progress.pending() / tried));
    }
}
