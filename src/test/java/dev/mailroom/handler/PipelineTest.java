package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.run.QueueMessage;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * End to end: SQS events through the send handler into real SMTP and DNS servers, with the ledger,
 * the DLQ and the archive on the local emulators.
 */
class PipelineTest {

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
    void aJobWithAnS3AttachmentShouldBeDeliveredAndRecorded() throws Exception {
        // Given
        start(SmtpTestServer.builder(), Map.of());
        byte[] pdf = new byte[200_000];
        new Random(1).nextBytes(pdf);
        pipeline.upload("a/invoice.pdf", pdf);
        pipeline.enqueue(PipelineHarness.job("happy-1", "ann@example.org",
                "\"attachments\":[{\"filename\":\"invoice.pdf\",\"contentType\":\"application/pdf\","
                        + "\"s3\":{\"bucket\":\"" + pipeline.bucket + "\",\"key\":\"a/invoice.pdf\"}}]"));

        // When
        pipeline.drain();

        // Then
        JobRecord job = pipeline.job("happy-1");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.leaseOwner()).isNull();
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(job.recipient("ann@example.org").replyCode()).isEqualTo(250);
        assertThat(job.recipient("ann@example.org").mxHost()).isEqualTo("mx.example.org");
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.received().get(0).parse().getMessageID()).isEqualTo(job.messageId());
        var attachment = ((jakarta.mail.internet.MimeMultipart) mx.received().get(0).parse().getContent()).getBodyPart(1);
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(pdf);
    }

    @Test
    void aGreylistedRecipientShouldBeRetriedUntilDeliveredWithoutResendingToTheOthers() {
        // Given: ann is greylisted twice, bob is accepted at once
        start(SmtpTestServer.builder().greylist("ann@example.org", 2), Map.of());
        pipeline.enqueue(PipelineHarness.job("grey-1", "ann@example.org", "\"cc\":[\"bob@example.org\"]"));

        // When
        pipeline.drain();

        // Then: three attempts; bob got one copy, ann one copy
        JobRecord job = pipeline.job("grey-1");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.attempts()).isEqualTo(3);
        assertThat(job.recipient("ann@example.org").attempts()).isEqualTo(3);
        assertThat(job.recipient("bob@example.org").attempts()).isEqualTo(1);
        assertThat(mx.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactly(List.of("bob@example.org"), List.of("ann@example.org"));
    }

    @Test
    void aRecipientWhoseBounceArrivedBetweenAttemptsShouldNotBeSentAgain() throws Exception {
        // Given: ann greylisted once, bob delivered on the first attempt
        start(SmtpTestServer.builder().greylist("ann@example.org", 1), Map.of());
        String body = PipelineHarness.job("bounced-between", "ann@example.org", "\"cc\":[\"bob@example.org\"]");
        QueueMessage message = new QueueMessage("m-1", "receipt-1", body, Map.of());
        pipeline.wiring.step().acknowledge(message, java.time.Instant.now().plusSeconds(60));
        assertThat(pipeline.job("bounced-between").recipient("bob@example.org").status())
                .isEqualTo(RecipientStatus.DELIVERED);

        // When: bob's bounce is recorded (as bounce intake does), then the job's next attempt runs
        RecipientRecord delivered = pipeline.job("bounced-between").recipient("bob@example.org");
        pipeline.wiring.ledger().recordAfterDelivery("bounced-between", "bob@example.org",
                new RecipientRecord(RecipientStatus.BOUNCED, 550, "5.1.1", "no such user", "mx.example.org",
                        delivered.attempts(), java.time.Instant.now()), java.time.Instant.now(), List.of());
        Thread.sleep(1_200); // the harness's retry delay
        pipeline.wiring.step().acknowledge(message, java.time.Instant.now().plusSeconds(60));

        // Then: ann delivered on the retry; bob neither sent again nor written back to DELIVERED
        JobRecord job = pipeline.job("bounced-between");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(job.recipient("bob@example.org").status()).isEqualTo(RecipientStatus.BOUNCED);
        assertThat(mx.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactly(List.of("bob@example.org"), List.of("ann@example.org"));
    }

    @Test
    void aJobWithOneRejectedAndOneAcceptedRecipientShouldEndPartial() {
        start(SmtpTestServer.builder().rejectRecipient("bob@example.org", 550, "5.1.1 no such user"), Map.of());
        pipeline.enqueue(PipelineHarness.job("mixed-1", "ann@example.org", "\"cc\":[\"bob@example.org\"]"));

        pipeline.drain();

        JobRecord job = pipeline.job("mixed-1");
        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.recipient("bob@example.org").status()).isEqualTo(RecipientStatus.FAILED);
        assertThat(job.recipient("bob@example.org").enhancedCode()).isEqualTo("5.1.1");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
    }

    @Test
    void aDomainsDeliveriesShouldBeRecordedAsSoonAsItsTransactionEndsWhileAnotherDomainIsStillSending()
            throws Exception {
        // Given: one job for two domains; slow.example's server takes 6 s to answer the end of DATA
        start(SmtpTestServer.builder(), Map.of("MAILROOM_READ_TIMEOUT", "20s"));
        world.dns().mx("slow.example", 10, "mx.slow.example").a("mx.slow.example", "127.0.0.3");
        try (SmtpTestServer slow = SmtpTestServer.builder().bind("127.0.0.3").port(mx.port())
                .stallOnData(Duration.ofSeconds(6)).start()) {
            pipeline.enqueue(PipelineHarness.job("two-domains-1", "ann@example.org", "\"cc\":[\"bob@slow.example\"]"));

            // When
            CompletableFuture<Void> draining = CompletableFuture.runAsync(pipeline::drain);

            // Then: while bob's transaction still runs, ann's delivery is already in the ledger — a crash
            // now would not send it again
            JobRecord midway = null;
            for (int i = 0; i < 120 && (midway == null || !isDelivered(midway, "ann@example.org")); i++) {
                Thread.sleep(50);
                midway = findQuietly("two-domains-1");
            }
            assertThat(midway).isNotNull();
            assertThat(midway.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
            assertThat(midway.status()).isEqualTo(JobStatus.SENDING);
            assertThat(midway.recipient("bob@slow.example").status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(slow.received()).isEmpty();
            assertThat(midway.messageId()).isNotNull();

            draining.get(60, TimeUnit.SECONDS);
            JobRecord job = pipeline.job("two-domains-1");
            assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
            assertThat(job.recipient("ann@example.org")).isEqualTo(midway.recipient("ann@example.org"));
            assertThat(mx.received()).hasSize(1);
            assertThat(slow.received()).hasSize(1);
        }
    }

    private JobRecord findQuietly(String jobId) {
        return pipeline.wiring.ledger().find(jobId).orElse(null);
    }

    private static boolean isDelivered(JobRecord job, String recipient) {
        return job.recipient(recipient) != null && job.recipient(recipient).status() == RecipientStatus.DELIVERED;
    }

    @Test
    void aJobThatKeepsBeingDeferredShouldExpireIntoTheDeadLetterQueueWithItsReason() {
        // Given: the recipient is always deferred; two attempts allowed
        start(SmtpTestServer.builder().rejectRecipient("ann@example.org", 451, "4.3.0 try later"),
                Map.of("MAILROOM_MAX_ATTEMPTS", "2"));
        String body = PipelineHarness.job("expire-1", "ann@example.org", "");
        pipeline.enqueue(body);

        // When
        pipeline.drain();

        // Then
        JobRecord job = pipeline.job("expire-1");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.lastError()).startsWith("max attempts reached");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(job.recipient("ann@example.org").replyCode()).isEqualTo(451);
        List<Message> dead = pipeline.takeDeadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).body()).isEqualTo(body);
        assertThat(dead.get(0).messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue())
                .startsWith("max attempts reached");
        assertThat(pipeline.deadLetters().read(job.archiveKey())).isEqualTo(body);
        assertThat(mx.received()).isEmpty();
    }

    @Test
    void invalidJobsShouldBeRejectedWithPreciseReasonsWhileTheRestOfTheBatchIsDelivered() {
        // Given: one good job among bad ones, in one batch
        start(SmtpTestServer.builder(), Map.of());
        pipeline.enqueue(PipelineHarness.job("good-1", "ann@example.org", ""));
        String notJson = pipeline.enqueue("{\"version\":1,\"to\":[");
        pipeline.enqueue(PipelineHarness.job("bad-sender", "ann@example.org", "").replace("@mailroom.test", "@evil.test"));
        pipeline.enqueue(PipelineHarness.job("bad-bucket", "ann@example.org",
                "\"attachments\":[{\"filename\":\"x\",\"s3\":{\"bucket\":\"not-ours\",\"key\":\"x\"}}]"));
        pipeline.enqueue(PipelineHarness.job("bad-header", "ann@example.org", "\"headers\":{\"X-Tag\":\"a\\r\\nBcc: victim@example.org\"}"));
        pipeline.enqueue(PipelineHarness.job("bad-version", "ann@example.org", "").replace("\"version\":1", "\"version\":7"));

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("good-1").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(mx.received()).hasSize(1);
        assertThat(pipeline.job(notJson).status()).isEqualTo(JobStatus.REJECTED);
        assertThat(pipeline.job(notJson).lastError()).startsWith("body: not valid JSON");
        assertThat(pipeline.job("bad-sender").lastError()).isEqualTo("from: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
        assertThat(pipeline.job("bad-bucket").lastError()).startsWith("attachments[0].s3.bucket: is not in MAILROOM_ATTACHMENT_BUCKETS");
        assertThat(pipeline.job("bad-header").lastError()).startsWith("headers.X-Tag: contains CR or LF");
        assertThat(pipeline.job("bad-version").lastError()).startsWith("version: unsupported version 7");
        List<Message> dead = pipeline.takeDeadLetters();
        assertThat(dead).hasSize(5).allSatisfy(m ->
                assertThat(m.messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue()).startsWith("rejected: "));
    }

    @Test
    void logsShouldHaveOneLinePerRecipientOutcomeAndMetricsButNeverTheMessageBody() {
        start(SmtpTestServer.builder().rejectRecipient("bob@example.org", 550, "5.1.1 no such user"), Map.of());
        pipeline.enqueue(PipelineHarness.job("logs-1", "ann@example.org", "\"cc\":[\"bob@example.org\"]"));

        pipeline.drain();

        List<String> outcomes = pipeline.logs.stream().filter(l -> l.contains("\"event\":\"recipient.outcome\"")).toList();
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes).anySatisfy(l -> assertThat(l).contains("\"jobId\":\"logs-1\"", "\"domain\":\"example.org\"",
                "\"mxHost\":\"mx.example.org\"", "\"replyCode\":550", "\"enhancedCode\":\"5.1.1\"", "\"latencyMs\":"));
        assertThat(pipeline.logs).anySatisfy(l -> assertThat(l).contains("\"CloudWatchMetrics\"", "\"Delivered\":1", "\"Failed\":1"));
        assertThat(pipeline.logs).noneSatisfy(l -> assertThat(l).contains("Body of logs-1"));
    }
}
