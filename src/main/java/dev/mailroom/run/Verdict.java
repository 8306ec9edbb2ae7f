package dev.mailroom.run;

import java.time.Duration;

/** What to do with a queue message once its job has been processed. */
public sealed interface Verdict {

    /** Acknowledge: the job is finished (or was never valid); delete the message. */
    record Done() implements Verdict {
    }

    /** Keep the message and make it visible again after {@code delay} (deferred recipients, a busy job). */
    record RetryAfter(Duration delay) implements Verdict {
    }

    /**
     * The attempt outlived its lease, so its outcome was not recorded: keep the message untouched.
     * Whoever holds the job now records it; if nobody does, the message comes back when its
     * visibility timeout ends and the ledger decides again.
     */
    record LeaseLost(String jobId) implements Verdict {
    }
}
