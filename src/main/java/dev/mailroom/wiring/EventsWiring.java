package dev.mailroom.wiring;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.EventsConfig;
import dev.mailroom.events.EventOrigin;
import dev.mailroom.events.SesEvents;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.outbox.EventBridgePublisher;
import dev.mailroom.outbox.EventPublisher;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.outbox.SqsEventPublisher;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The outbox every ledger-writing role shares: its destinations, from {@link EventsConfig}. */
final class EventsWiring {

    /** The reporting host of roles that send nothing (a Delivery's reportingMTA is the send role's HELO name). */
    static final String NOT_SENDING = "mailroom";

    private EventsWiring() {
    }

    static Outbox outbox(EventsConfig config, AwsClients aws, Ledger ledger, EventOrigin origin, JobLog log,
                         Clock clock) {
        if (!config.publishes()) {
            return Outbox.none();
        }
        List<EventPublisher> destinations = new ArrayList<>();
        config.queueUrl().ifPresent(url -> destinations.add(new SqsEventPublisher(aws.sqs(), url)));
        config.bus().ifPresent(bus -> destinations.add(new EventBridgePublisher(aws.eventBridge(), bus)));
        return Outbox.publishing(ledger, EventPublisher.all(destinations), new SesEvents(clock, origin), log);
    }
}
