package org.capsync.definition;

import java.time.Duration;

import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * How often and how patiently a CAP whose file is in use is tried again. {@code attempts} counts the first try.
 * The defaults give a client about half a minute to let go: 2s, 4s, 8s, 16s.
 */
public record RetrySettings(int attempts, Duration delay, double multiplier, Duration maxDelay) {

    public static final RetrySettings DEFAULT = new RetrySettings(5, Duration.ofSeconds(2), 2.0, Duration.ofMinutes(1));

    /**
     * The wait before attempt {@code nextAttempt} (2 is the first retry), by Spring's exponential backoff. Attempts are
     * spread over separate step iterations (a held CAP must not hold a worker), so the backoff is replayed per attempt
     * rather than kept as a running execution.
     */
    public Duration delayBefore(int nextAttempt) {
        ExponentialBackOff backOff = new ExponentialBackOff(delay.toMillis(), multiplier);
        backOff.setMaxInterval(maxDelay.toMillis());
        BackOffExecution execution = backOff.start();
        long wait = execution.nextBackOff();
        for (int attempt = 3; attempt <= nextAttempt; attempt++) {
            wait = execution.nextBackOff();
        }
        return Duration.ofMillis(wait);
    }
}
