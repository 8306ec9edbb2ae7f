package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.DEFAULT_BUS_ARN;
import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.SCENARIO_NAMES;
import static dev.mailroom.deploy.SamTemplate.logicalIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroom.config.EventsConfig;
import dev.mailroom.config.StoreConfig;
import dev.mailroom.deploy.SamTemplate.Lambda;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where template.yaml sends the delivery events: every function that writes a recipient's status
 * sends them to EventsQueue, and to the EventBridge bus EventBusName names — none, the account's
 * default bus (not created), or a bus of the stack's own — with a grant on that bus alone. The event
 * sweeper runs alone on a schedule.
 */
class EventPublishingTest {

    /** The functions that write events: every one of them, today. */
    private static final List<Lambda> EVENT_WRITERS = List.of(Lambda.SEND, Lambda.DEAD_LETTER, Lambda.BOUNCE,
            Lambda.UNSUBSCRIBE, Lambda.EVENT_SWEEP);

    private static final Duration SQS_MAX_RETENTION = Duration.ofDays(14);

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyEventWritingFunctionShouldSendToTheEventsQueue(String scenario) {
        // Given
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        JsonNode queue = template.properties("EventsQueue");

        // Then: one queue, kept as long as SQS allows, encrypted; every writer's variable names it
        assertThat(template.root.path("Resources").path("EventsQueue").path("Type").asText()).isEqualTo("AWS::SQS::Queue");
        assertThat(template.deployed("EventsQueue")).as("EventsQueue is always created").isTrue();
        assertThat(Duration.ofSeconds(queue.path("MessageRetentionPeriod").asLong())).isEqualTo(SQS_MAX_RETENTION);
        assertThat(queue.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        for (Lambda lambda : template.lambdas()) {
            assertThat(EVENT_WRITERS).as("%s writes the ledger, so it writes events", lambda).contains(lambda);
            String url = template.environment(lambda.logicalId).get(EventsConfig.QUEUE_VARIABLE);
            assertThat(url).as("%s (%s) %s", lambda.logicalId, scenario, EventsConfig.QUEUE_VARIABLE).isNotNull();
            assertThat(logicalIdOf(EventsConfig.QUEUE_VARIABLE, url)).isEqualTo("EventsQueue");
            assertThat(template.grants(lambda.logicalId)).contains("sqs:SendMessage on {EventsQueue.Arn}");
        }
    }

    @Test
    void noEventBusNameShouldPublishToNoBus() {
        // Given: every function deployed, EventBusName at its default ""
        Map<String, String> noBus = new HashMap<>(SCENARIOS.get("mx in a VPC"));
        noBus.remove("EventBusName");
        SamTemplate template = SamTemplate.load(noBus);

        // Then
        assertThat(template.lambdas()).containsExactlyInAnyOrderElementsOf(EVENT_WRITERS);
        assertThat(template.condition("UseEventBus")).isFalse();
        assertThat(template.resourcesOfType("AWS::Events::EventBus")).isEmpty();
        for (Lambda lambda : template.lambdas()) {
            assertThat(template.environment(lambda.logicalId)).as(lambda.logicalId)
                    .doesNotContainKey(EventsConfig.BUS_VARIABLE);
            assertThat(template.grants(lambda.logicalId)).as(lambda.logicalId)
                    .noneMatch(grant -> grant.startsWith("events:"));
        }
    }

    @Test
    void theDefaultBusShouldBeGrantedByItsArnAndNotCreated() {
        // Given
        SamTemplate template = SamTemplate.load(SCENARIOS.get("relay on the default bus"));

        // Then: the account's bus exists already (and cannot be created); the grant names it alone
        assertThat(template.resourcesOfType("AWS::Events::EventBus")).isEmpty();
        for (Lambda lambda : template.lambdas()) {
            assertThat(template.environment(lambda.logicalId)).as(lambda.logicalId)
                    .containsEntry(EventsConfig.BUS_VARIABLE, "default");
            assertThat(template.grants(lambda.logicalId)).as(lambda.logicalId)
                    .filteredOn(grant -> grant.startsWith("events:"))
                    .containsExactly("events:PutEvents on " + DEFAULT_BUS_ARN);
        }
    }

    @Test
    void aNamedBusShouldBeCreatedUnderThatNameAndGranted() {
        // Given
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        assertThat(SCENARIOS.get("mx in a VPC")).containsEntry("EventBusName", "orders-mail");

        // Then
        assertThat(template.resourcesOfType("AWS::Events::EventBus")).containsExactly("EventBus");
        assertThat(template.properties("EventBus").path("Name").asText()).isEqualTo("orders-mail");
        assertThat(template.lambdas()).containsExactlyInAnyOrderElementsOf(EVENT_WRITERS);
        for (Lambda lambda : template.lambdas()) {
            assertThat(template.environment(lambda.logicalId)).as(lambda.logicalId)
                    .containsEntry(EventsConfig.BUS_VARIABLE, "orders-mail");
            assertThat(template.grants(lambda.logicalId)).as(lambda.logicalId)
                    .filteredOn(grant -> grant.startsWith("events:"))
                    .containsExactly("events:PutEvents on {EventBus.Arn}");
        }
    }

    @Test
    void theEventBusNameParameterShouldAcceptExactlyBusNamesEventsConfigReads() {
        Pattern allowed = Pattern.compile(SamTemplate.load(Map.of()).root.path("Parameters").path("EventBusName")
                .path("AllowedPattern").asText());

        // EventBridge's bus-name characters; a slash (partner buses, ARNs) is not for this stack.
        assertThat(List.of("", "default", "orders-mail", "a.b_c-1", "x".repeat(256)))
                .allMatch(name -> allowed.matcher(name).matches());
        assertThat(List.of("a/b", "orders mail", "x".repeat(257), "arn:aws:events:us-east-1:123456789012:event-bus/x"))
                .noneMatch(name -> allowed.matcher(name).matches());
        for (String name : List.of("default", "orders-mail", "a.b_c-1", "x".repeat(256))) {
            assertThat(StoreConfig.from(Map.of("MAILROOM_DLQ_URL", "q", "MAILROOM_TABLE", "t",
                    "MAILROOM_ARCHIVE_BUCKET", "b", EventsConfig.BUS_VARIABLE, name)).events().bus())
                    .as("EventBusName %s as MAILROOM_EVENT_BUS", name).contains(name);
        }
    }

    @Test
    void theEventSweeperShouldRunAloneEveryFiveMinutesEachSweepEndingBeforeTheNext() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        String sweeper = Lambda.EVENT_SWEEP.logicalId;
        JsonNode events = template.functionProperty(sweeper, "Events");
        JsonNode invoke = template.functionProperty(sweeper, "EventInvokeConfig");

        assertThat(events.size()).as("%s events", sweeper).isEqualTo(1);
        JsonNode schedule = events.elements().next();
        // An EventBridge rule: the handler takes its ScheduledEvent.
        assertThat(schedule.path("Type").asText()).isEqualTo("Schedule");
        assertThat(schedule.path("Properties").path("Schedule").asText()).isEqualTo("rate(5 minutes)");
        assertThat(template.functionProperty(sweeper, "ReservedConcurrentExecutions").asInt()).isEqualTo(1);
        assertThat(template.functionProperty(sweeper, "Timeout").asInt()).as("%s Timeout (s)", sweeper)
                .isLessThan((int) Duration.ofMinutes(5).toSeconds());
        // The next sweep finds what a failed one left: no retries, no stale sweeps queued behind a running one.
        assertThat(invoke.path("MaximumRetryAttempts").asInt()).isZero();
        assertThat(invoke.path("MaximumEventAgeInSeconds").asInt()).isLessThanOrEqualTo(300);
    }

    @Test
    void aBounceEventLambdaGivesUpOnShouldLandOnTheBounceFailureQueueAfterTwoRetries() {
        // Given: S3 invokes the bounce function asynchronously
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        JsonNode invoke = template.functionProperty(Lambda.BOUNCE.logicalId, "EventInvokeConfig");
        JsonNode onFailure = invoke.path("DestinationConfig").path("OnFailure");

        // Then: the failed event's record is kept, with a role allowed to send it and an alarm
        assertThat(invoke.path("MaximumRetryAttempts").asInt()).isEqualTo(2);
        assertThat(onFailure.path("Type").asText()).isEqualTo("SQS");
        assertThat(onFailure.path("Destination").asText()).isEqualTo("{BounceFailureQueue.Arn}");
        assertThat(template.grants(Lambda.BOUNCE.logicalId)).contains("sqs:SendMessage on {BounceFailureQueue.Arn}");
        JsonNode queue = template.properties("BounceFailureQueue");
        assertThat(queue.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(Duration.ofSeconds(queue.path("MessageRetentionPeriod").asLong())).isEqualTo(SQS_MAX_RETENTION);
        JsonNode alarm = template.properties("BounceFailureQueueNotEmptyAlarm");
        assertThat(alarm.path("MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(alarm.path("Dimensions").findValuesAsText("Value")).containsExactly("{BounceFailureQueue.QueueName}");
        assertThat(alarm.path("Threshold").asInt()).isZero();
        Map<String, String> withTopic = new HashMap<>(SCENARIOS.get("mx in a VPC"));
        withTopic.put("AlarmTopicArn", "arn:aws:sns:us-east-1:123456789012:mailroom-alarms");
        assertThat(SamTemplate.load(withTopic).properties("BounceFailureQueueNotEmptyAlarm").path("AlarmActions")
                .toString()).isEqualTo("[\"arn:aws:sns:us-east-1:123456789012:mailroom-alarms\"]");
    }

    @Test
    void noBounceDomainShouldDeployNoBounceFailureQueue() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("relay with a secret"));

        assertThat(List.of("BounceFailureQueue", "BounceFailureQueueNotEmptyAlarm")).noneMatch(template::deployed);
    }
}
