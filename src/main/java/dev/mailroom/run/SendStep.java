package dev.mailroom.run;

import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.observe.JobLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The send role's step for one message: cut the attempt's budget from the runner's time, process
 * the job, and turn the verdict into what happens to the message — deleted, hidden for a backoff,
 * or left to come back. A record that cannot start an attempt in time is made visible again at
 * once, for a runner with more time.
 */
public final class SendStep implements RecordStep {

    private final JobProcessor processor;
    private final QueueControl queue;
    private final Duration minimumAttempt;
    private final JobLog log;
    private final Clock clock;

    /** @param minimumAttempt the least time an attempt needs (one connect and one reply) */
    public SendStep(JobProcessor processor, QueueControl queue, Duration minimumAttempt, JobLog log, Clock clock) {
        this.processor = processor;
        this.queue = queue;
        this.minimumAttempt = minimumAttempt;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public boolean acknowledge(QueueMessage message, Instant end) {
        Optional<AttemptBudget> budget = AttemptBudget.before(end, clock, minimumAttempt);
        if (budget.isEmpty()) {
            // Not started: visible again at once, rather than after a whole visibility timeout.
            hideQuietly(message);
            return false;
        }
        try {
            Verdict verdict = processor.process(message.body(), message.fallbackJobId(), budget.get());
            if (verdict instanceof Verdict.RetryAfter retryAfter) {
                queue.hide(message.receiptHandle(), retryAfter.delay());
                return false;
            }
            return verdict instanceof Verdict.Done;
        } catch (RuntimeException e) {
            // Infrastructure trouble (throttling, the ledger or the DLQ unreachable): try again later.
            log.error(message.fallbackJobId(), "process", e);
            return false;
        }
    }

    private void hideQuietly(QueueMessage message) {
        try {
            queue.hide(message.receiptHandle(), Duration.ZERO);
        } catch (RuntimeException e) {
            // The message still comes back when its visibility timeout ends.
        }
    }
}
