package dev.mailroom.outbox;

import dev.mailroom.events.OutboxEntries.Publishable;
import java.util.List;

/** A destination of events. Throws when any event may not have arrived: the caller keeps them, and tries again. */
public interface EventPublisher {

    void publish(List<Publishable> events);

    /** Each of {@code publishers}, in turn; one failing fails the whole (the others may have the events: they de-duplicate). */
    static EventPublisher all(List<EventPublisher> publishers) {
        List<EventPublisher> each = List.copyOf(publishers);
        return events -> {
            RuntimeException failure = null;
            for (EventPublisher publisher : each) {
                try {
                    publisher.publish(events);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        };
    }
}
