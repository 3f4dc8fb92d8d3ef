package org.capsync.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetrySettingsTest {

    @Test
    void backoffGrowsByTheMultiplierUpToTheMaximum() {
        RetrySettings retry = new RetrySettings(8, Duration.ofSeconds(2), 2.0, Duration.ofSeconds(10));

        assertThat(retry.delayBefore(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(retry.delayBefore(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(retry.delayBefore(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(retry.delayBefore(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(retry.delayBefore(8)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aMultiplierOfOneKeepsTheDelay() {
        RetrySettings retry = new RetrySettings(5, Duration.ofMillis(500), 1.0, Duration.ofMinutes(1));

        assertThat(retry.delayBefore(4)).isEqualTo(Duration.ofMillis(500));
    }
}
