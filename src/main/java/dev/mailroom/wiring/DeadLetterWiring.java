package dev.mailroom.wiring;

import dev.mailroom.events.EventOrigin;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.StoreConfig;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.retry.SqsS3DeadLetters;
import dev.mailroom.run.BatchDriver;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.run.DeadLetterStep;
import java.time.Clock;
import java.util.Map;

/**
 * The dead-letter role, wired from its {@link StoreConfig} alone: the ledger, the archive and the
 * log. It builds no delivery engine, resolver or TLS context, and needs none of the send role's
 * variables (MAILROOM_HELO_NAME, MAILROOM_ALLOWED_SENDER_DOMAINS…).
 */
public final class DeadLetterWiring {

    private final BatchHandler batch;
    private final Clock clock;

    public DeadLetterWiring(StoreConfig config, AwsClients aws, JsonLines out, Clock clock) {
        this.clock = clock;
        JobLog log = new JobLog(out, clock);
        Ledger ledger = new DynamoDbLedger(aws.dynamo(), config.table(), config.ledgerRetention());
        SqsS3DeadLetters archive = new SqsS3DeadLetters(aws.sqs(), config.deadLetterQueueUrl(), aws.s3(),
                config.archiveBucket(), config.archivePrefix(), clock);
        Outbox outbox = EventsWiring.outbox(config.events(), aws, ledger, EventOrigin.of(EventsWiring.NOT_SENDING),
                log, clock);
        this.batch = new BatchDriver(new DeadLetterStep(ledger, archive, outbox, log, clock), 1);
    }

    /** The production wiring: configuration from the environment, logs to stdout. */
    public static DeadLetterWiring fromEnvironment() {
        return from(System.getenv());
    }

    public static DeadLetterWiring from(Map<String, String> variables) {
        StoreConfig config = StoreConfig.from(variables);
        return new DeadLetterWiring(config, AwsClients.create(config.endpoints(), config.region()),
                JsonLines.stdout(), Clock.systemUTC());
    }

    public BatchHandler batch() {
        return batch;
    }

    public Clock clock() {
        return clock;
    }
}
