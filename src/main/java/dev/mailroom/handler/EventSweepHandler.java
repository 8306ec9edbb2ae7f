package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.wiring.EventSweepWiring;

/**
 * The event sweeper, on a schedule: publishes the events ledger items still hold — a writer that
 * died between its write and its publish with nothing left to bring the job back (its last write
 * acknowledged, bounce intake out of retries, an unsubscribe), a destination that was down (the send
 * path does not hold a job's message for its events: they wait in the item) — and drops them from
 * the items.
 */
public final class EventSweepHandler implements RequestHandler<ScheduledEvent, Integer> {

    private final Outbox outbox;

    /** Lambda's entry: the sweeper's own wiring, once per container. */
    public EventSweepHandler() {
        this(EventSweepWiring.fromEnvironment().outbox());
    }

    public EventSweepHandler(Outbox outbox) {
        this.outbox = outbox;
    }

    /** @return how many events were published */
    @Override
    public Integer handleRequest(ScheduledEvent event, Context context) {
        return outbox.sweep();
    }
}
