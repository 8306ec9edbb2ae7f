package dev.mailroom.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant FAR = NOW.plus(Duration.ofDays(30));

    @Test
    void afterAttemptShouldDoubleTheDelayFromTheInitialDelayUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(20, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        assertThat(delays(policy, 7)).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMinutes(20), Duration.ofMinutes(40), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
    }

    @Test
    void afterAttemptShouldSpreadDelaysWithinTheJitterBand() {
        RetryPolicy policy = new RetryPolicy(20, Duration.ofDays(3), Duration.ofMinutes(10), Duration.ofHours(1), 0.2);
        Random random = new Random(7);
        Set<Duration> seen = new HashSet<>();

        for (int i = 0; i < 500; i++) {
            Duration delay = ((RetryPolicy.RetryAfter) policy.afterAttempt(1, NOW, FAR, random)).delay();
            assertThat(delay).isBetween(Duration.ofMinutes(8), Duration.ofMinutes(12));
            seen.add(delay);
        }

        assertThat(seen).hasSizeGreaterThan(100);
    }

    @Test
    void afterAttemptShouldGiveUpWhenTheAttemptsAreUsedUp() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        assertThat(policy.afterAttempt(2, NOW, FAR, new Random())).isInstanceOf(RetryPolicy.RetryAfter.class);
        assertThat(policy.afterAttempt(3, NOW, FAR, new Random()))
                .isEqualTo(new RetryPolicy.GiveUp("max attempts reached (3 of 3)"));
    }

    @Test
    void afterAttemptShouldGiveUpWhenTheNextAttemptWouldFallPastTheDeadline() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        RetryPolicy.Decision decision = policy.afterAttempt(1, NOW, NOW.plus(Duration.ofMinutes(4)), new Random());

        assertThat(decision).isInstanceOf(RetryPolicy.GiveUp.class);
        assertThat(((RetryPolicy.GiveUp) decision).reason()).startsWith("expired");
    }

    @Test
    void deadlineShouldBeTheEarlierOfMaxAgeAndTheJobsOwnExpiry() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        assertThat(policy.deadline(NOW, null)).isEqualTo(NOW.plus(Duration.ofDays(3)));
        assertThat(policy.deadline(NOW, NOW.plus(Duration.ofHours(2)))).isEqualTo(NOW.plus(Duration.ofHours(2)));
        assertThat(policy.deadline(NOW, NOW.plus(Duration.ofDays(9)))).isEqualTo(NOW.plus(Duration.ofDays(3)));
    }

    @Test
    void constructorShouldRefuseADelayBeyondWhatSqsVisibilityAllows() {
        assertThatThrownBy(() -> new RetryPolicy(10, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(13), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
    }

    private static java.util.List<Duration> delays(RetryPolicy policy, int attempts) {
        java.util.List<Duration> delays = new java.util.ArrayList<>();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            delays.add(((RetryPolicy.RetryAfter) policy.afterAttempt(attempt, NOW, FAR, new Random())).delay());
        }
        return delays;
    }
}
