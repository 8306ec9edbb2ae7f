package dev.mailroom.wiring;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.StoreConfig;
import dev.mailroom.events.EventOrigin;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.outbox.Outbox;
import java.time.Clock;
import java.util.Map;

/** The event sweeper's role, wired from its {@link StoreConfig}: the ledger and the event destinations. */
public final class EventSweepWiring {

    private final Outbox outbox;

    public EventSweepWiring(StoreConfig config, AwsClients aws, JsonLines out, Clock clock) {
        Ledger ledger = new DynamoDbLedger(aws.dynamo(), config.table(), config.ledgerRetention());
        this.outbox = EventsWiring.outbox(config.events(), aws, ledger, EventOrigin.of(EventsWiring.NOT_SENDING),
                new JobLog(out, clock), clock);
    }

    public static EventSweepWiring fromEnvironment() {
        return from(System.getenv());
    }

    public static EventSweepWiring from(Map<String, String> variables) {
        StoreConfig config = StoreConfig.from(variables);
        return new EventSweepWiring(config, AwsClients.create(config.endpoints(), config.region()),
                JsonLines.stdout(), Clock.systemUTC());
    }

    public Outbox outbox() {
        return outbox;
    }
}
