package dev.mailroom.wiring;

import dev.mailroom.events.EventOrigin;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.unsubscribe.SubscriptionEvents;
import java.time.Duration;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.config.ConfigException;
import dev.mailroom.config.KeySource;
import dev.mailroom.config.UnsubscribeConfig;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.observe.UnsubscribeLog;
import dev.mailroom.unsubscribe.Unsubscribed;
import dev.mailroom.unsubscribe.Unsubscribes;
import java.time.Clock;
import java.util.Map;

/**
 * The one-click unsubscribe endpoint's role, wired from its {@link UnsubscribeConfig} alone: the
 * unsubscribe keys (read once, at cold start: a key document without them stops the start, naming
 * the variable), the suppression list and the log; where events are published, the ledger (the
 * {@code Subscription} event is kept in the job's item, then published: {@link SubscriptionEvents}).
 * No queue or SMTP engine.
 */
public final class UnsubscribeWiring {

    /** What the endpoint tells of an unsubscribe beyond its log line when no events are published. */
    static final Unsubscribed NO_EVENTS = (claims, entry) -> { };

    private final Unsubscribes endpoint;

    public UnsubscribeWiring(UnsubscribeConfig config, AwsClients aws, JsonLines out, Clock clock) {
        this(config, aws, new DynamoDbSuppressionList(aws.dynamo(), config.suppressionTable()), out, clock);
    }

    private UnsubscribeWiring(UnsubscribeConfig config, AwsClients aws, SuppressionList list, JsonLines out,
                              Clock clock) {
        this.endpoint = new Unsubscribes(tokens(config, aws), list, subscriptionEvents(config, aws, out, clock),
                new UnsubscribeLog(out, clock), clock);
    }

    private static Unsubscribed subscriptionEvents(UnsubscribeConfig config, AwsClients aws, JsonLines out,
                                                   Clock clock) {
        if (!config.events().publishes() || config.ledgerTable().isEmpty()) {
            return NO_EVENTS;
        }
        // No item is ended here, so the retention (the TTL of terminal items) is never written.
        Ledger ledger = new DynamoDbLedger(aws.dynamo(), config.ledgerTable().get(), Duration.ofDays(30));
        return new SubscriptionEvents(ledger, EventsWiring.outbox(config.events(), aws, ledger,
                EventOrigin.of(EventsWiring.NOT_SENDING), new JobLog(out, clock), clock));
    }

    /** The production wiring: configuration from the environment, logs to stdout. */
    public static UnsubscribeWiring fromEnvironment() {
        return from(System.getenv());
    }

    public static UnsubscribeWiring from(Map<String, String> variables) {
        UnsubscribeConfig config = UnsubscribeConfig.from(variables);
        return new UnsubscribeWiring(config, AwsClients.create(config.endpoints(), config.region()),
                JsonLines.stdout(), Clock.systemUTC());
    }

    public Unsubscribes endpoint() {
        return endpoint;
    }

    private static UnsubscribeToken tokens(UnsubscribeConfig config, AwsClients aws) {
        return SendKeys.load(config.keys(), aws).unsubscribe().orElseThrow(() -> new ConfigException(
                variable(config.keys()), "the key document has no \"unsubscribe\" keys to verify tokens with"));
    }

    private static String variable(KeySource keys) {
        if (keys instanceof KeySource.Secret) {
            return "MAILROOM_KEYS_SECRET_ARN";
        }
        return keys instanceof KeySource.File ? "MAILROOM_KEYS_FILE" : "MAILROOM_KEYS";
    }
}
