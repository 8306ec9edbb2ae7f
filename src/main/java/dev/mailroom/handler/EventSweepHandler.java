package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

/**
 * The event sweeper: on a schedule, publishes the events ledger items still hold (a writer that
 * crashed between its write and its publish, a destination that was down) and marks them published.
 */
public final class EventSweepHandler implements RequestHandler<ScheduledEvent, Void> {

    @Override
    public Void handleRequest(ScheduledEvent event, Context context) {
        throw new UnsupportedOperationException("not wired yet");
    }
}
