package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.SCENARIO_NAMES;
import static dev.mailroom.deploy.SamTemplate.arnOf;
import static dev.mailroom.deploy.SamTemplate.logicalIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.deploy.SamTemplate.Lambda;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queues of template.yaml fit the code that uses them: the send queue's redrive and retention
 * leave room for the retry policy, the DLQ holds what Mailroom copies there, every visibility
 * timeout covers its function's timeout (for every allowed timeout) and the lease, and each function
 * listens to its queue reporting batch item failures.
 */
class QueueTimeoutsTest {

    /** Lambda's longest timeout, and AWS's guidance for an SQS event source's visibility timeout. */
    private static final int LAMBDA_MAX_TIMEOUT_SECONDS = 900;
    private static final int VISIBILITY_PER_TIMEOUT = 6;
    private static final int SQS_MAX_MESSAGE_BYTES = 1_048_576;

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void theSendQueueShouldFitTheRetryPolicy(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode queue = template.properties(logicalIdOf("MAILROOM_QUEUE_URL", config.queueUrl()));
        JsonNode redrive = queue.path("RedrivePolicy");

        assertThat(redrive.path("deadLetterTargetArn").asText()).as("send queue redrives to MAILROOM_DLQ_URL's queue")
                .isEqualTo(arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));
        assertThat(redrive.path("maxReceiveCount").asInt()).as("send queue maxReceiveCount must exceed "
                + "MAILROOM_MAX_ATTEMPTS, or redrive pre-empts the retry policy (%s)", scenario)
                .isGreaterThan(config.retry().maxAttempts());
        assertThat(queue.path("MaximumMessageSize").asInt()).as("send queue MaximumMessageSize (job bodies up to 1 MiB)")
                .isEqualTo(SQS_MAX_MESSAGE_BYTES);
        assertThat(Duration.ofSeconds(queue.path("MessageRetentionPeriod").asLong()))
                .as("send queue retention must outlast MAILROOM_MAX_AGE").isGreaterThan(config.retry().maxAge());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void theDeadLetterQueueShouldHoldWhatMailroomCopiesThereAndOutliveTheSendQueue(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode queue = template.properties(logicalIdOf("MAILROOM_QUEUE_URL", config.queueUrl()));
        JsonNode dlq = template.properties(logicalIdOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));

        assertThat(dlq.path("MaximumMessageSize").asInt()).as("DLQ MaximumMessageSize: SqsS3DeadLetters copies whole "
                + "job bodies there").isEqualTo(SQS_MAX_MESSAGE_BYTES);
        assertThat(dlq.path("MessageRetentionPeriod").asLong()).as("DLQ retention must be at least the send queue's: "
                + "SQS keeps a redriven message's enqueue time").isGreaterThanOrEqualTo(queue.path("MessageRetentionPeriod").asLong());
    }

    @Test
    void everyQueueVisibilityTimeoutShouldBeSixTimesItsFunctionsTimeoutForEveryAllowedTimeout() throws Exception {
        Duration margin = AttemptBudget.SAFETY_MARGIN;
        for (Map<String, String> parameters : timeoutVariants()) {
            SamTemplate template = SamTemplate.load(parameters);
            for (Lambda lambda : Lambda.onQueues()) {
                int timeout = template.functionProperty(lambda.logicalId, "Timeout").asInt();
                int visibility = template.properties(logicalIdOf(template.eventQueueArn(lambda.logicalId)))
                        .path("VisibilityTimeout").asInt();

                assertThat(timeout).as("%s Timeout (%s)", lambda.logicalId, parameters)
                        .isBetween(1, LAMBDA_MAX_TIMEOUT_SECONDS);
                assertThat(visibility).as("%s's queue VisibilityTimeout vs %d x Timeout %d s (%s)", lambda.logicalId,
                        VISIBILITY_PER_TIMEOUT, timeout, parameters).isGreaterThanOrEqualTo(VISIBILITY_PER_TIMEOUT * timeout);
                if (lambda == Lambda.SEND) {
                    MailroomConfig config = template.config(lambda.logicalId);
                    assertThat(Duration.ofSeconds(timeout)).as("SendFunction Timeout leaves no room for one attempt "
                            + "(SendHandler starts none with less than the connect + read timeouts + margin left)")
                            .isGreaterThanOrEqualTo(config.smtp().minimumAttemptTime().plus(margin));
                    assertThat(config.lease()).as("MAILROOM_LEASE must outlast an invocation (Timeout %d s)", timeout)
                            .isGreaterThanOrEqualTo(Duration.ofSeconds(timeout));
                    assertThat(Duration.ofSeconds(visibility)).as("a crashed attempt's message should come back only "
                            + "after its lease ran out (MAILROOM_LEASE)").isGreaterThanOrEqualTo(config.lease());
                }
            }
        }
    }

    @Test
    void everyFunctionShouldListenToItsQueueReportingBatchItemFailures() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        Map<Lambda, String> expectedQueue = Map.of(
                Lambda.SEND, arnOf("MAILROOM_QUEUE_URL", config.queueUrl()),
                Lambda.DEAD_LETTER, arnOf("MAILROOM_DLQ_URL", config.deadLetterQueueUrl()));
        for (Lambda lambda : Lambda.onQueues()) {
            JsonNode event = template.sqsEvent(lambda.logicalId);

            assertThat(template.eventQueueArn(lambda.logicalId)).as("%s's SQS event queue", lambda.logicalId)
                    .isEqualTo(expectedQueue.get(lambda));
            assertThat(event.path("FunctionResponseTypes").toString()).as("%s must report batch item failures: "
                    + "the handlers return SQSBatchResponse", lambda.logicalId).contains("ReportBatchItemFailures");
        }
    }

    private static List<Map<String, String>> timeoutVariants() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        List<Map<String, String>> variants = new ArrayList<>();
        for (Lambda lambda : Lambda.onQueues()) {
            JsonNode timeout = template.rawFunctionProperty(lambda.logicalId, "Timeout");
            String parameter = timeout.path("Ref").asText(null);
            JsonNode allowed = parameter == null ? MissingNode.getInstance()
                    : template.root.path("Parameters").path(parameter).path("AllowedValues");
            for (JsonNode value : allowed) {
                Map<String, String> variant = new LinkedHashMap<>(SCENARIOS.get("mx in a VPC"));
                variant.put(parameter, value.asText());
                variants.add(variant);
            }
        }
        if (variants.isEmpty()) {
            variants.add(SCENARIOS.get("mx in a VPC"));
        }
        return variants;
    }
}
