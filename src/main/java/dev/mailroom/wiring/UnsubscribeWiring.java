package dev.mailroom.wiring;

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
 * the variable), the suppression list and the log. No ledger, queue or SMTP engine.
 *
 * <p>The {@code Subscription} event is not published yet: {@link #SUBSCRIPTION_EVENT_PENDING} is
 * the seam where a publisher (which reads the job's ledger record for the event's {@code mail}
 * object) goes; until then the log line {@code unsubscribe.done} records each unsubscribe.
 */
public final class UnsubscribeWiring {

    /** What the endpoint tells of an unsubscribe beyond its log line: nothing yet (see the class comment). */
    static final Unsubscribed SUBSCRIPTION_EVENT_PENDING = (claims, entry) -> { };

    private final Unsubscribes endpoint;

    public UnsubscribeWiring(UnsubscribeConfig config, AwsClients aws, JsonLines out, Clock clock) {
        this(config, aws, new DynamoDbSuppressionList(aws.dynamo(), config.suppressionTable()), out, clock);
    }

    private UnsubscribeWiring(UnsubscribeConfig config, AwsClients aws, SuppressionList list, JsonLines out,
                              Clock clock) {
        this.endpoint = new Unsubscribes(tokens(config, aws), list, SUBSCRIPTION_EVENT_PENDING,
                new UnsubscribeLog(out, clock), clock);
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
