package dev.mailroom.run;

import java.time.Instant;
import java.util.List;

/**
 * What a runner hands a batch of queue messages to (Powertools' {@code BatchMessageHandler}): the
 * messages in, the ids of those to leave on the queue out. {@link BatchDriver} is the one
 * implementation; a runner — the Lambda adapters, the worker's poller — knows only this.
 */
@FunctionalInterface
public interface BatchHandler {

    /**
     * @param end when the runner must be done (see {@link RecordStep#acknowledge})
     * @return the message ids to leave on the queue, in batch order; never throws for one record's failure
     */
    List<String> run(List<QueueMessage> messages, Instant end);
}
