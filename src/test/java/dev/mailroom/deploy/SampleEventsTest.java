package dev.mailroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.retry.DeadLetters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sample events in events/ (for {@code sam local invoke}) are SQS events as Lambda delivers them,
 * down to each record's md5OfBody, and their jobs get the verdict the real intake gives.
 */
class SampleEventsTest {

    private static final Path EVENTS = Path.of("events");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventFiles")
    void everySampleEventShouldBeAnSqsEventAsLambdaDeliversIt(String name) throws Exception {
        JsonNode records = JSON.readTree(EVENTS.resolve(name).toFile()).path("Records");

        assertThat(records.isArray() && !records.isEmpty()).as("%s needs a non-empty Records array", name).isTrue();
        for (JsonNode record : records) {
            assertThat(record.fieldNames()).toIterable().as("%s record fields", name)
                    .containsExactlyInAnyOrder("messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                            "md5OfBody", "eventSource", "eventSourceARN", "awsRegion");
            assertThat(record.path("body").isTextual()).as("%s: body is a JSON string", name).isTrue();
            assertThat(record.path("md5OfBody").asText()).as("%s md5OfBody", name).isEqualTo(md5(record.path("body").asText()));
            assertThat(record.path("eventSource").asText()).isEqualTo("aws:sqs");
            assertThat(record.path("eventSourceARN").asText()).startsWith("arn:aws:sqs:" + record.path("awsRegion").asText() + ":");
            assertThat(record.path("attributes").path("ApproximateReceiveCount").asText()).as("%s attributes", name).matches("\\d+");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobEventFiles")
    void everySampleJobShouldBeAcceptedByTheRealIntake(String name) throws IOException {
        for (JsonNode record : JSON.readTree(EVENTS.resolve(name).toFile()).path("Records")) {
            IntakeResult result = intake().accept(record.path("body").asText(), record.path("messageId").asText());

            assertThat(result).as("%s record %s: %s", name, record.path("messageId").asText(), result)
                    .isInstanceOf(IntakeResult.Accepted.class);
        }
    }

    @Test
    void theInvalidJobEventShouldBeRejectedNamingTheField() throws IOException {
        JsonNode record = JSON.readTree(EVENTS.resolve("invalid-job.json").toFile()).path("Records").get(0);

        IntakeResult result = intake().accept(record.path("body").asText(), record.path("messageId").asText());

        assertThat(result).as("invalid-job.json: %s", result).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith("subject:");
    }

    @Test
    void theDeadLetterEventShouldHoldARedrivenJobAndACopyMailroomMadeItself() throws IOException {
        JsonNode records = JSON.readTree(EVENTS.resolve("dlq-event.json").toFile()).path("Records");

        // DeadLetterHandler tells them apart by the reason attribute: only redriven jobs get archived.
        assertThat(records.findValues("messageAttributes")).as("dlq-event.json records")
                .anyMatch(attributes -> !attributes.has(DeadLetters.REASON_ATTRIBUTE))
                .anyMatch(attributes -> attributes.has(DeadLetters.REASON_ATTRIBUTE));
    }

    static Stream<String> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
            assertThat(names).as("events/").contains("plain-text.json", "html-with-s3-attachment.json",
                    "raw-mime-from-s3.json", "multiple-domains.json", "invalid-job.json", "dlq-event.json");
            return names.stream();
        }
    }

    static Stream<String> jobEventFiles() throws IOException {
        return eventFiles().filter(name -> !Set.of("invalid-job.json", "dlq-event.json").contains(name));
    }

    private static JobIntake intake() {
        return new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of("mailroom-attachments"));
    }

    private static String md5(String body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    }
}
