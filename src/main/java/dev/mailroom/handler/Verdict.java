package dev.mailroom.handler;

import java.time.Duration;

/** What to do with a queue message once its job has been processed. */
public sealed interface Verdict {

    /** Acknowledge: the job is finished (or was never valid); delete the message. */
    record Done() implements Verdict {
    }

    /** Keep the message and make it visible again after {@code delay} (deferred recipients). */
    record RetryAfter(Duration delay) implements Verdict {
    }

    /** Keep the message; SQS makes it visible again when its visibility timeout runs out. */
    record RetryLater(String reason) implements Verdict {
    }
}
