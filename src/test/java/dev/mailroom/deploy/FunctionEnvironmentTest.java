package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.SCENARIO_NAMES;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.config.BounceConfig;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.config.StoreConfig;
import dev.mailroom.config.UnsubscribeConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The environment template.yaml gives each function is the one its role's configuration reads —
 * MailroomConfig for the send function, StoreConfig for the dead-letter function and the event
 * sweeper, BounceConfig and UnsubscribeConfig for theirs: every required variable, no unknown one,
 * and values that pass its cold-start checks.
 */
class FunctionEnvironmentTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyFunctionShouldSetTheRequiredVariablesOfItsRoleAndOnlyOnesItReads(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        assertThat(template.functions()).as("every function deployed has a role checked here")
                .containsExactlyInAnyOrderElementsOf(template.lambdas().stream().map(lambda -> lambda.logicalId).toList());
        for (SamTemplate.Lambda lambda : template.lambdas()) {
            String function = lambda.logicalId;
            Map<String, String> env = template.environment(function);
            List<String> required = switch (lambda) {
                case SEND -> MailroomConfig.REQUIRED_VARIABLES;
                case DEAD_LETTER, EVENT_SWEEP -> StoreConfig.REQUIRED_VARIABLES;
                case UNSUBSCRIBE -> UnsubscribeConfig.REQUIRED_VARIABLES;
                case BOUNCE -> java.util.stream.Stream.concat(StoreConfig.REQUIRED_VARIABLES.stream(),
                        BounceConfig.REQUIRED_VARIABLES.stream()).toList();
            };
            List<String> known = switch (lambda) {
                case SEND -> MailroomConfig.KNOWN_VARIABLES;
                case DEAD_LETTER, EVENT_SWEEP -> StoreConfig.KNOWN_VARIABLES;
                case UNSUBSCRIBE -> UnsubscribeConfig.KNOWN_VARIABLES;
                case BOUNCE -> BounceConfig.KNOWN_VARIABLES;
            };

            assertThat(env).as("%s (%s) lacks required variables", function, scenario)
                    .containsKeys(required.toArray(String[]::new));
            assertThat(env.keySet().stream().filter(name -> name.startsWith("MAILROOM_")))
                    .as("%s (%s) sets variables its configuration never reads", function, scenario)
                    .isSubsetOf(known);
            assertThat(env.keySet()).as("%s (%s) sets variables nobody reads", function, scenario)
                    .allMatch(name -> name.startsWith("MAILROOM_") || name.equals("JAVA_TOOL_OPTIONS"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyFunctionsEnvironmentShouldPassItsConfigurationsColdStartChecks(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        MailroomConfig config = template.config(SamTemplate.Lambda.SEND.logicalId);
        assertThat(config.archiveBucket()).as("SendFunction (%s): archived payloads must not sit in a bucket jobs may "
                + "attach from", scenario).isNotIn(config.attachmentBuckets());

        for (SamTemplate.Lambda lambda : List.of(SamTemplate.Lambda.DEAD_LETTER, SamTemplate.Lambda.EVENT_SWEEP)) {
            StoreConfig store = coldStart(lambda, () -> StoreConfig.from(template.environment(lambda.logicalId)));
            assertThat(store).as("%s (%s) sees the send function's store and event destinations", lambda.logicalId,
                    scenario).isEqualTo(config.store());
        }
        if (template.lambdas().contains(SamTemplate.Lambda.BOUNCE)) {
            BounceConfig bounce = coldStart(SamTemplate.Lambda.BOUNCE,
                    () -> BounceConfig.from(template.environment(SamTemplate.Lambda.BOUNCE.logicalId)));
            assertThat(bounce.store()).as("BounceFunction (%s) sees the send function's store", scenario)
                    .isEqualTo(config.store());
            assertThat(bounce.bounceDomain()).as("BounceFunction (%s) reads the send function's bounce domain", scenario)
                    .isEqualTo(config.bounceDomain().orElseThrow());
            assertThat(bounce.suppressionTable()).contains(config.suppressionTable());
            assertThat(bounce.keys()).isEqualTo(config.keys());
        }
        if (template.lambdas().contains(SamTemplate.Lambda.UNSUBSCRIBE)) {
            // Events are always published (EventsQueue): UnsubscribeConfig then requires MAILROOM_TABLE.
            coldStart(SamTemplate.Lambda.UNSUBSCRIBE,
                    () -> UnsubscribeConfig.from(template.environment(SamTemplate.Lambda.UNSUBSCRIBE.logicalId)));
        }
    }

    /** The configuration a function reads at cold start, or a failure naming the function and the variable. */
    private static <T> T coldStart(SamTemplate.Lambda lambda, Supplier<T> configuration) {
        try {
            return configuration.get();
        } catch (RuntimeException e) {
            throw new AssertionError(lambda.logicalId + " would fail at cold start: " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void theDeadLetterFunctionShouldNeedNoneOfTheSendRolesVariables(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        Map<String, String> env = template.environment(SamTemplate.Lambda.DEAD_LETTER.logicalId);

        assertThat(env).doesNotContainKeys("MAILROOM_HELO_NAME", "MAILROOM_ALLOWED_SENDER_DOMAINS",
                "MAILROOM_QUEUE_URL", "MAILROOM_ATTACHMENT_BUCKETS");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void theUnsubscribeEndpointShouldShareTheSendFunctionsKeysListLedgerAndEventDestinationsAndNothingElse(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        MailroomConfig send = template.config(SamTemplate.Lambda.SEND.logicalId);
        if (!template.lambdas().contains(SamTemplate.Lambda.UNSUBSCRIBE)) {
            assertThat(send.unsubscribeUrl()).as("SendFunction (%s): no endpoint deployed, none named", scenario).isEmpty();
            return;
        }
        Map<String, String> env = template.environment(SamTemplate.Lambda.UNSUBSCRIBE.logicalId);
        UnsubscribeConfig endpoint = UnsubscribeConfig.from(env);

        assertThat(env).doesNotContainKeys("MAILROOM_HELO_NAME", "MAILROOM_ALLOWED_SENDER_DOMAINS",
                "MAILROOM_QUEUE_URL", "MAILROOM_ATTACHMENT_BUCKETS", "MAILROOM_DLQ_URL", "MAILROOM_ARCHIVE_BUCKET");
        assertThat(endpoint.keys()).as("the keys that sign the tokens verify them").isEqualTo(send.keys());
        assertThat(endpoint.suppressionTable()).isEqualTo(send.suppressionTable());
        // The Subscription event is kept with the job's ledger item, then published where the others are.
        assertThat(endpoint.events()).as("UnsubscribeFunction (%s) event destinations", scenario)
                .isEqualTo(send.store().events());
        assertThat(endpoint.ledgerTable()).as("UnsubscribeFunction (%s) MAILROOM_TABLE", scenario)
                .contains(send.table());
        assertThat(send.unsubscribeUrl()).as("SendFunction's MAILROOM_UNSUBSCRIBE_URL: the endpoint's function URL")
                .contains("https://unsubscribefunctionurl.lambda-url.us-east-1.on.aws/{token}");
    }
}
