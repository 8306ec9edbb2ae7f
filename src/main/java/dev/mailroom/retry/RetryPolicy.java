package dev.mailroom.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a deferred job again, and when to give up. Immutable.
 *
 * <p>The delay doubles from {@code initialDelay} per attempt up to {@code maxDelay} (Postfix's
 * queue manager in spirit: minimum_backoff_time 5 min, maximal_backoff_time ~1 h), with
 * ±{@code jitter} so that jobs deferred together don't return together. A job gives up when it has
 * made {@code maxAttempts} attempts, or when its next attempt would fall past its deadline (the
 * earlier of created + {@code maxAge} and the job's own {@code expiresAt}).
 *
 * @param maxAttempts  delivery attempts before the job expires
 * @param maxAge       the longest a job may live, from its first claim; keep it below the queue's
 *                     retention period (14 days at most)
 * @param initialDelay the delay after the first deferred attempt
 * @param maxDelay     the cap on any delay; at most 12 h (the SQS visibility-timeout maximum)
 * @param jitter       the fraction by which a delay varies, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Duration initialDelay, Duration maxDelay, double jitter) {

    /** ChangeMessageVisibility accepts at most 12 hours. */
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    public static RetryPolicy defaults() {
        return new RetryPolicy(12, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0.2);
    }

    public RetryPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 < initialDelay <= maxDelay");
        }
        if (maxDelay.compareTo(MAX_VISIBILITY) > 0) {
            throw new IllegalArgumentException("maxDelay may not exceed " + MAX_VISIBILITY + " (SQS visibility limit)");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
    }

    /** What to do with a job that still has undelivered recipients. */
    public sealed interface Decision {
    }

    public record RetryAfter(Duration delay) implements Decision {
    }

    public record GiveUp(String reason) implements Decision {
    }

    /**
     * Before an attempt at a claimed job: go on (empty), or give up because the job's deadline has
     * passed or its attempts are spent. Every give-up decision is made here or in
     * {@link #afterAttempt}.
     *
     * @param attemptsCounted attempts the ledger counts, the one about to start included (its claim counted it)
     * @param deadline        the moment the job expires ({@link #deadline})
     */
    public Optional<GiveUp> beforeAttempt(int attemptsCounted, Instant now, Instant deadline) {
        if (!now.isBefore(deadline)) {
            return Optional.of(new GiveUp("expired: deadline " + deadline + " passed"));
        }
        if (attemptsCounted > maxAttempts) {
            return Optional.of(new GiveUp("max attempts reached (" + (attemptsCounted - 1) + " of " + maxAttempts + ")"));
        }
        return Optional.empty();
    }

    /**
     * @param attemptsMade attempts made so far, the one just finished included (1 after the first)
     * @param deadline     the moment the job expires
     */
    public Decision afterAttempt(int attemptsMade, Instant now, Instant deadline, RandomGenerator random) {
        if (attemptsMade >= maxAttempts) {
            return new GiveUp("max attempts reached (" + attemptsMade + " of " + maxAttempts + ")");
        }
        Duration delay = delayAfter(attemptsMade, random);
        if (!now.plus(delay).isBefore(deadline)) {
            return new GiveUp("expired: the next attempt would fall after " + deadline);
        }
        return new RetryAfter(delay);
    }

    /** The deadline of a job first claimed at {@code createdAt}, whose own expiry is {@code expiresAt} (may be null). */
    public Instant deadline(Instant createdAt, Instant expiresAt) {
        Instant byAge = createdAt.plus(maxAge);
        return expiresAt != null && expiresAt.isBefore(byAge) ? expiresAt : byAge;
    }

    Duration delayAfter(int attemptsMade, RandomGenerator random) {
        int doublings = Math.min(attemptsMade - 1, 30);
        long base = Math.min(initialDelay.toMillis() << doublings, maxDelay.toMillis());
        if (base <= 0) {
            base = maxDelay.toMillis();
        }
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        long delayed = Math.round(base * factor);
        return Duration.ofMillis(Math.min(delayed, MAX_VISIBILITY.toMillis()));
    }
}
