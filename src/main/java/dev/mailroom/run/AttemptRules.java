package dev.mailroom.run;

import dev.mailroom.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * How attempts are claimed and rescheduled.
 *
 * @param lease  how long a claim holds the job
 * @param owners a fresh lease owner per attempt: nothing of a lease is shared between attempts,
 *               containers, or environments restored from one SnapStart snapshot
 * @param jitter the randomness of the retry delays
 * @param clock  every time the processor reads or writes
 */
public record AttemptRules(RetryPolicy retry, Duration lease, Supplier<String> owners, RandomGenerator jitter,
                           Clock clock) {
}
