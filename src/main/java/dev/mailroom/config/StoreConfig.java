package dev.mailroom.config;

import dev.mailroom.aws.AwsEndpoints;
import dev.mailroom.retry.ArchiveLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where Mailroom keeps its state — the ledger table, the dead-letter queue and the archive — and how
 * to reach AWS: all a function needs that only reads and writes that state (the dead-letter
 * function), and the part every role shares. Read once at cold start, checked, immutable; a
 * missing or malformed variable fails fast with a {@link ConfigException} naming it.
 *
 * @param ledgerRetention how long finished jobs stay in the ledger (DynamoDB TTL)
 * @param endpoints       endpoint overrides for emulators and LocalStack; none in AWS
 * @param events          where delivery events are published ({@link EventsConfig}); every role that
 *                        writes the ledger publishes the events its writes hold
 */
public record StoreConfig(String deadLetterQueueUrl, String table, String archiveBucket, String archivePrefix,
                          Duration ledgerRetention, AwsEndpoints endpoints, String region, EventsConfig events) {

    /** Variables every function must have (the SAM template's Globals; FunctionEnvironmentTest checks it). */
    public static final List<String> REQUIRED_VARIABLES = List.of("MAILROOM_DLQ_URL", "MAILROOM_TABLE",
            "MAILROOM_ARCHIVE_BUCKET");

    /** Every variable read here. */
    public static final List<String> KNOWN_VARIABLES = List.of("MAILROOM_DLQ_URL", "MAILROOM_TABLE",
            "MAILROOM_ARCHIVE_BUCKET", "MAILROOM_ARCHIVE_PREFIX", "MAILROOM_LEDGER_RETENTION",
            "MAILROOM_AWS_ENDPOINT", "MAILROOM_SQS_ENDPOINT", "MAILROOM_S3_ENDPOINT", "MAILROOM_DYNAMODB_ENDPOINT",
            "AWS_REGION", EventsConfig.QUEUE_VARIABLE, EventsConfig.BUS_VARIABLE);

    public static StoreConfig from(Map<String, String> variables) {
        return from(new Environment(variables));
    }

    static StoreConfig from(Environment env) {
        // The archive bucket first, as the send role has always read it: with nothing set, it is the
        // variable named.
        String archiveBucket = env.required("MAILROOM_ARCHIVE_BUCKET");
        return new StoreConfig(
                env.required("MAILROOM_DLQ_URL"),
                env.required("MAILROOM_TABLE"),
                archiveBucket,
                env.string("MAILROOM_ARCHIVE_PREFIX", ArchiveLayout.DEFAULT_PREFIX),
                env.duration("MAILROOM_LEDGER_RETENTION", Duration.ofDays(30)),
                endpoints(env),
                env.string("AWS_REGION", "us-east-1"),
                EventsConfig.from(env));
    }

    private static AwsEndpoints endpoints(Environment env) {
        try {
            return AwsEndpoints.fromVariables(env::optional);
        } catch (AwsEndpoints.InvalidEndpointException e) {
            throw new ConfigException(e.source(), e.problem());
        }
    }
}
