package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestKeys;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestContexts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handlers as the Lambda Java runtime drives them: each sample event of {@code events/} is read
 * by the runtime's own serialization library (aws-lambda-java-serialization, what the managed
 * runtime uses for SQSEvent and SQSBatchResponse), handed to the real handler, and its answer
 * written back by the same library. A partial batch failure must come out as
 * {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}}: under any other field names
 * Lambda reads "no failures" and deletes every message, the failed ones silently with them.
 */
class LambdaRuntimeSerializationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClassLoader RUNTIME = LambdaRuntimeSerializationTest.class.getClassLoader();
    private static final PojoSerializer<SQSEvent> EVENTS = LambdaEventSerializers.serializerFor(SQSEvent.class, RUNTIME);
    private static final PojoSerializer<SQSBatchResponse> RESPONSES =
            LambdaEventSerializers.serializerFor(SQSBatchResponse.class, RUNTIME);

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").mx("example.net", 10, "mx.example.org")
                .a("mx.example.org", "127.0.0.2");
        // The samples' sender is example.com; one of their recipients is greylisted.
        mx = SmtpTestServer.builder().bind("127.0.0.2").rejectRecipient("ops@example.net", 451, "4.7.1 greylisted")
                .start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS", "example.com",
                "MAILROOM_KEYS", TestKeys.document("example.com")));
    }

    @AfterEach
    void stop() {
        pipeline.close();
        mx.close();
        dns.close();
    }

    @Test
    void everySampleEventShouldReachTheSendHandlerAsTheRuntimeReadsIt() throws IOException {
        for (Path file : sampleEvents()) {
            // Given
            JsonNode raw = JSON.readTree(file.toFile());
            SQSEvent event = EVENTS.fromJson(new ByteArrayInputStream(Files.readAllBytes(file)));

            // Then: every record's id, receipt handle, body and String attributes as the file has them
            assertThat(event.getRecords()).as(file.toString()).hasSize(raw.get("Records").size());
            for (int i = 0; i < event.getRecords().size(); i++) {
                JsonNode record = raw.get("Records").get(i);
                SQSEvent.SQSMessage message = event.getRecords().get(i);
                assertThat(message.getMessageId()).isEqualTo(record.get("messageId").asText());
                assertThat(message.getReceiptHandle()).isEqualTo(record.get("receiptHandle").asText());
                assertThat(message.getBody()).isEqualTo(record.get("body").asText());
                record.path("messageAttributes").fields().forEachRemaining(attribute -> assertThat(
                        SqsRecords.message(message).attributes().get(attribute.getKey()))
                        .isEqualTo(attribute.getValue().get("stringValue").asText()));
            }
        }
    }

    @Test
    void aDeferredRecordShouldComeBackAsABatchItemFailureInTheRuntimesJson() throws IOException {
        // Given: two jobs — one attaching from a bucket this deployment does not allow (rejected), one
        // without a job id for two domains, one of which greylists its recipient
        SQSEvent event = read("multiple-domains.json");
        String deferred = event.getRecords().get(1).getMessageId();

        // When
        JsonNode response = respond(pipeline.handler, event, TestContexts.lambda(Duration.ofMinutes(5)));

        // Then: Lambda is told to keep the deferred job's message, and only that one
        assertThat(pipeline.job("report-2026-w18").status()).isEqualTo(JobStatus.REJECTED);
        assertThat(pipeline.job(deferred).status()).isEqualTo(JobStatus.DEFERRED);
        assertThat(response).isEqualTo(failures(deferred));
    }

    @Test
    void recordsWithNoTimeLeftShouldAllComeBackAsBatchItemFailures() throws IOException {
        // Given: an invocation that has no time left for an attempt
        SQSEvent event = read("dlq-event.json");

        // When
        JsonNode response = respond(pipeline.handler, event, TestContexts.lambda(Duration.ofSeconds(2)));

        // Then
        assertThat(response).isEqualTo(failures(event.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId)
                .toArray(String[]::new)));
        assertThat(mx.received()).isEmpty();
    }

    @Test
    void aDeliveredAndARejectedRecordShouldBothBeAcknowledged() throws IOException {
        // Given: a plain job to a willing server, and an invalid job
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>(read("plain-text.json").getRecords());
        records.addAll(read("invalid-job.json").getRecords());
        event.setRecords(records);

        // When
        JsonNode response = respond(pipeline.handler, event, TestContexts.lambda(Duration.ofMinutes(5)));

        // Then
        assertThat(response).isEqualTo(failures());
        assertThat(mx.received()).isNotEmpty();
    }

    @Test
    void theDeadLetterHandlerShouldReportARecordItCouldNotArchiveInTheRuntimesJson() throws IOException {
        // Given: the DLQ sample — one record Mailroom dead-lettered itself (nothing to do), one that
        // reached the DLQ by redrive and must be archived, into an archive that is gone
        SQSEvent event = read("dlq-event.json");
        pipeline.stack.s3().deleteBucket(b -> b.bucket(pipeline.archiveBucket));
        List<String> redriven = event.getRecords().stream()
                .filter(r -> r.getMessageAttributes() == null || !r.getMessageAttributes().containsKey("mailroom-reason"))
                .map(SQSEvent.SQSMessage::getMessageId).toList();

        // When
        JsonNode response = respond(pipeline.deadLetterHandler(), event, TestContexts.lambda(Duration.ofMinutes(1)));

        // Then
        assertThat(redriven).isNotEmpty();
        assertThat(response).isEqualTo(failures(redriven.toArray(String[]::new)));
    }

    private static JsonNode respond(RequestHandler<SQSEvent, SQSBatchResponse> handler, SQSEvent event,
                                    Context context) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RESPONSES.toJson(handler.handleRequest(event, context), out);
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    /** The JSON Lambda's SQS event source reads as a partial batch failure (AWS Lambda docs, "Reporting batch item failures"). */
    private static JsonNode failures(String... messageIds) throws IOException {
        StringBuilder json = new StringBuilder("{\"batchItemFailures\":[");
        for (int i = 0; i < messageIds.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"itemIdentifier\":\"").append(messageIds[i]).append("\"}");
        }
        return JSON.readTree(json.append("]}").toString());
    }

    private static SQSEvent read(String name) throws IOException {
        return EVENTS.fromJson(new ByteArrayInputStream(Files.readAllBytes(Path.of("events", name))));
    }

    private static List<Path> sampleEvents() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }
}
