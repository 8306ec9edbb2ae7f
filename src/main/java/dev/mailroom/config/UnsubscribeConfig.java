package dev.mailroom.config;

import dev.mailroom.aws.AwsEndpoints;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one-click unsubscribe endpoint's configuration: the suppression list it writes, where the
 * unsubscribe keys are (the send role's key document: the same keys sign and verify) and how to
 * reach AWS. None of the send role's variables (queue, sender domains, HELO name…): the token itself
 * says all the endpoint needs to suppress. Where events are published ({@link EventsConfig}), the
 * endpoint also needs the ledger (MAILROOM_TABLE): the Subscription event is kept with the job's item
 * until it is published. Read once at cold start; a missing or malformed variable fails fast with a
 * {@link ConfigException} naming it.
 *
 * @param ledgerTable MAILROOM_TABLE, present when events are published
 */
public record UnsubscribeConfig(String suppressionTable, KeySource keys, AwsEndpoints endpoints, String region,
                                Optional<String> ledgerTable, EventsConfig events) {

    /** Variables the endpoint function must have (FunctionEnvironmentTest checks the template sets them). */
    public static final List<String> REQUIRED_VARIABLES = List.of("MAILROOM_SUPPRESSION_TABLE");

    /** Every variable read here. */
    public static final List<String> KNOWN_VARIABLES = List.of("MAILROOM_SUPPRESSION_TABLE",
            "MAILROOM_KEYS_SECRET_ARN", "MAILROOM_KEYS_FILE", "MAILROOM_KEYS", "MAILROOM_AWS_ENDPOINT",
            "MAILROOM_SQS_ENDPOINT", "MAILROOM_S3_ENDPOINT", "MAILROOM_DYNAMODB_ENDPOINT", "AWS_REGION",
            "MAILROOM_TABLE", EventsConfig.QUEUE_VARIABLE, EventsConfig.BUS_VARIABLE);

    public static UnsubscribeConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static UnsubscribeConfig from(Map<String, String> variables) {
        Environment env = new Environment(variables);
        String table = env.required("MAILROOM_SUPPRESSION_TABLE");
        Map<String, String> set = new LinkedHashMap<>();
        KeySource.VARIABLES.forEach(name -> env.optional(name).ifPresent(value -> set.put(name, value)));
        KeySource keys = KeySource.from(set);
        if (keys instanceof KeySource.None) {
            throw new ConfigException(String.join(", ", KeySource.VARIABLES),
                    "one is required: the endpoint verifies tokens with the key document's unsubscribe keys");
        }
        AwsEndpoints endpoints;
        try {
            endpoints = AwsEndpoints.fromVariables(env::optional);
        } catch (AwsEndpoints.InvalidEndpointException e) {
            throw new ConfigException(e.source(), e.problem());
        }
        EventsConfig events = EventsConfig.from(env);
        Optional<String> ledgerTable = env.optional("MAILROOM_TABLE");
        if (events.publishes() && ledgerTable.isEmpty()) {
            throw new ConfigException("MAILROOM_TABLE", "required when events are published ("
                    + String.join(", ", EventsConfig.VARIABLES) + "): the Subscription event is kept with the job");
        }
        return new UnsubscribeConfig(table, keys, endpoints, env.string("AWS_REGION", "us-east-1"), ledgerTable,
                events);
    }
}
