package dev.mailroom.run;

import java.time.Instant;

/**
 * What a role does with one queue message (Powertools' {@code processBatchItem}): the same for
 * every runner, and never throwing — a record's failure is its own, reported as "keep it".
 */
@FunctionalInterface
public interface RecordStep {

    /**
     * @param end when the runner must be done: the Lambda invocation's deadline, the worker batch's
     * @return true to acknowledge (delete) the message, false to leave it on the queue
     */
    boolean acknowledge(QueueMessage message, Instant end);
}
