package org.capsync.definition;

import java.time.Duration;

/**
 * How often and how patiently a CAP whose file is in use is tried again. {@code attempts} counts the first try.
 * The defaults give a client about half a minute to let go: 2s, 4s, 8s, 16s.
 */
public record RetrySettings(int attempts, Duration delay, double multiplier, Duration maxDelay) {

    public static final RetrySettings DEFAULT = new RetrySettings(5, Duration.ofSeconds(2), 2.0, Duration.ofMinutes(1));

    /** The wait before attempt {@code nextAttempt} (2 is the first retry). */
    public Duration delayBefore(int nextAttempt) {
        double millis = delay.toMillis() * Math.pow(multiplier, Math.max(0, nextAttempt - 2));
        return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
    }
}
