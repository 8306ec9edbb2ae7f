package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.cli.MailroomCli;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the metrics and the ledger say about each recipient, end to end: every transition counted
 * once, no reply code where no server replied, attempts that were made, the Message-ID known as
 * soon as it is.
 */
class RecipientAccountingTest {

    /** Before any job's creation, whatever today is. */
    private static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private OneMxPipeline world;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private void start(SmtpTestServerBuilder server, Map<String, String> env) {
        world = OneMxPipeline.start(server, env);
        mx = world.mx();
        pipeline = world.pipeline();
    }

    @Test
    void metricsShouldCountADeliveredRecipientOnceWhenItsJobLaterDeadLetters() {
        // Given: ann is accepted at once, bob is deferred at every attempt; two attempts allowed
        start(SmtpTestServer.builder().rejectRecipient("bob@example.org", 451, "4.3.0 try later"),
                Map.of("MAILROOM_MAX_ATTEMPTS", "2"));
        pipeline.enqueue(PipelineHarness.job("count-1", "ann@example.org", "\"cc\":[\"bob@example.org\"]"));

        // When
        pipeline.drain();

        // Then: ann's delivery is counted at attempt 1 only; bob deferred once, then expired with the job
        assertThat(pipeline.job("count-1").status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(metricTotal("Delivered")).isEqualTo(1);
        assertThat(metricTotal("Deferred")).isEqualTo(1);
        assertThat(metricTotal("Failed")).isZero();
        assertThat(metricTotal("DeadLettered")).isEqualTo(1);
    }

    @Test
    void anExpiredJobShouldCountNeitherEarlierDeliveriesNorAnAttemptItNeverMade() {
        // Given: an earlier attempt delivered to ann and deferred bob; the job's own expiry has passed since
        start(SmtpTestServer.builder(), Map.of());
        String body = PipelineHarness.job("count-2", "ann@example.org", "\"cc\":[\"bob@example.org\"]");
        Instant now = Instant.now();
        pipeline.wiring.ledger().claim("count-2", PayloadFingerprint.of(body), "earlier-worker", Duration.ofMinutes(1),
                List.of("ann@example.org", "bob@example.org"), LONG_AGO, now);
        pipeline.wiring.ledger().record(new AttemptResult("count-2", "earlier-worker", JobStatus.DEFERRED, null, Map.of(
                "ann@example.org", new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, now),
                "bob@example.org", new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx.example.org", 1, now)),
                now, "bob@example.org: 451 4.3.0 later", null, now));
        pipeline.enqueue(body);

        // When
        pipeline.drain();

        // Then: dead-lettered without an SMTP session; ann is not counted again, and attempts stay at 1
        JobRecord job = pipeline.job("count-2");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.recipient("bob@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(mx.sessionsAccepted()).isZero();
        assertThat(metricTotal("Delivered")).isZero();
        assertThat(metricTotal("DeadLettered")).isEqualTo(1);
        assertThat(job.attempts()).isEqualTo(1);
    }

    @Test
    void attemptsShouldStayZeroForAJobExpiredBeforeItsFirstAttempt() {
        // Given: a job whose own expiry passed before any worker saw it
        start(SmtpTestServer.builder(), Map.of());
        pipeline.enqueue(PipelineHarness.job("expired-1", "ann@example.org", "\"expiresAt\":\"" + LONG_AGO + "\""));

        // When
        pipeline.drain();

        // Then
        JobRecord job = pipeline.job("expired-1");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).startsWith("expired: deadline");
        assertThat(job.attempts()).isZero();
        assertThat(job.recipient("ann@example.org").attempts()).isZero();
        assertThat(mx.sessionsAccepted()).isZero();
    }

    @Test
    void aFailureWithNoSmtpReplyShouldStoreAndPrintNoReplyCode() throws IOException {
        // Given: the recipient's domain says it takes no mail (null MX, RFC 7505): no server ever replies
        start(SmtpTestServer.builder(), Map.of());
        world.dns().nullMx("nomail.example");
        pipeline.enqueue(PipelineHarness.job("null-mx-1", "ann@nomail.example", ""));

        // When
        pipeline.drain();

        // Then: the ledger holds no reply code attribute, and neither the table nor the JSON shows one
        JobRecord job = pipeline.job("null-mx-1");
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.recipient("ann@nomail.example").enhancedCode()).isEqualTo("5.1.10");
        assertThat(storedRecipient("null-mx-1", "ann@nomail.example")).doesNotContainKey("replyCode");
        assertThat(job.lastError()).startsWith("ann@nomail.example: 5.1.10 ");
        assertThat(cli("status", "null-mx-1").lines()).anySatisfy(line ->
                assertThat(line).matches("ann@nomail\\.example +FAILED +- +5\\.1\\.10 .*"));
        JsonNode recipient = JSON.readTree(cli("status", "--json", "null-mx-1")).path("recipients").get(0);
        assertThat(recipient.path("enhancedCode").asText()).isEqualTo("5.1.10");
        assertThat(recipient.has("replyCode")).isFalse();
    }

    @Test
    void aJobFailedByAMissingAttachmentShouldStillRecordItsMessageId() {
        // Given: the attachment was never uploaded
        start(SmtpTestServer.builder(), Map.of());
        pipeline.enqueue(PipelineHarness.job("missing-1", "ann@example.org",
                "\"attachments\":[{\"filename\":\"invoice.pdf\",\"contentType\":\"application/pdf\","
                        + "\"s3\":{\"bucket\":\"" + pipeline.bucket + "\",\"key\":\"a/never-uploaded.pdf\"}}]"));

        // When
        pipeline.drain();

        // Then: failed 5.6.0, with the Message-ID every attempt of the job carries (derived from its id)
        JobRecord job = pipeline.job("missing-1");
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.recipient("ann@example.org").enhancedCode()).isEqualTo("5.6.0");
        assertThat(job.messageId()).isEqualTo("<" + UUID.nameUUIDFromBytes("missing-1".getBytes(StandardCharsets.UTF_8))
                + "@" + PipelineHarness.SENDER_DOMAIN + ">");
        assertThat(mx.sessionsAccepted()).isZero();
    }

    /** The sum of one EMF metric over every metrics line the pipeline wrote. */
    private long metricTotal(String name) {
        return pipeline.logs.stream().filter(line -> line.contains("\"CloudWatchMetrics\"")).mapToLong(line -> {
            try {
                return JSON.readTree(line).path(name).asLong();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }

    private Map<String, AttributeValue> storedRecipient(String jobId, String address) {
        Map<String, AttributeValue> item = pipeline.stack.dynamo().getItem(b -> b.tableName(pipeline.table)
                .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
        return item.get("recipients").m().get(address).m();
    }

    private String cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = MailroomCli.commandLine(new MailroomCli(Map.of(
                "MAILROOM_QUEUE_URL", pipeline.queueUrl,
                "MAILROOM_TABLE", pipeline.table,
                "MAILROOM_SQS_ENDPOINT", pipeline.stack.sqsEndpoint().toString(),
                "MAILROOM_S3_ENDPOINT", pipeline.stack.s3Endpoint().toString(),
                "MAILROOM_DYNAMODB_ENDPOINT", pipeline.stack.dynamoEndpoint().toString(),
                "AWS_REGION", "us-east-1")));
        commandLine.setOut(new PrintWriter(out, true));
        assertThat(commandLine.execute(args)).isZero();
        return out.toString();
    }
}
