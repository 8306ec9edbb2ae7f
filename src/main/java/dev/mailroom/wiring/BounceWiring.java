package dev.mailroom.wiring;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.BounceConfig;
import dev.mailroom.config.ConfigException;
import dev.mailroom.feedback.SuppressionRules;
import dev.mailroom.inbound.BounceIntake;
import dev.mailroom.inbound.InboundStep;
import dev.mailroom.inbound.S3InboundMail;
import dev.mailroom.events.EventOrigin;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import java.time.Clock;
import java.util.Map;

/**
 * The bounce-intake role: the inbound mail in S3, the ledger, the suppression list and the bounce
 * keys (read once, at start). No delivery engine, resolver, queue or DKIM key is built.
 */
public final class BounceWiring {

    private final InboundStep step;

    public BounceWiring(BounceConfig config, AwsClients aws, JsonLines out, Clock clock) {
        SendKeys keys = SendKeys.load(config.keys(), aws);
        var token = keys.bounce().orElseThrow(() -> new ConfigException("MAILROOM_BOUNCE_DOMAIN",
                "needs bounce keys: a \"bounce\" entry in the key document"));
        JobLog log = new JobLog(out, clock);
        Ledger ledger = new DynamoDbLedger(aws.dynamo(), config.store().table(), config.store().ledgerRetention());
        BounceIntake intake = new BounceIntake(new BounceIntake.ReturnPaths(config.bounceDomain(), token), ledger,
                config.suppressionTable().map(table -> new DynamoDbSuppressionList(aws.dynamo(), table)),
                SuppressionRules.standard(), EventsWiring.outbox(config.store().events(), aws, ledger,
                        EventOrigin.of(EventsWiring.NOT_SENDING), log, clock), clock);
        this.step = new InboundStep(new S3InboundMail(aws.s3()), intake, log);
    }

    /** The production wiring: configuration from the environment, logs to stdout. */
    public static BounceWiring fromEnvironment() {
        return from(System.getenv());
    }

    public static BounceWiring from(Map<String, String> variables) {
        BounceConfig config = BounceConfig.from(variables);
        return new BounceWiring(config, AwsClients.create(config.store().endpoints(), config.store().region()),
                JsonLines.stdout(), Clock.systemUTC());
    }

    public InboundStep step() {
        return step;
    }
}
