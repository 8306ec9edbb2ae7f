package dev.mailroom.handler;

import dev.mailroom.events.EventId;
import dev.mailroom.testing.PublishedEvents;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.run.BatchDriver;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.worker.SqsPoller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Poison messages: the redrive policy moves them to the DLQ, the dead-letter function settles them. */
class DeadLetterHandlerTest {

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("TEST_VISIBILITY_TIMEOUT", "1", "TEST_MAX_RECEIVE_COUNT", "2"));
    }

    @AfterEach
    void stop() {
        pipeline.close();
        mx.close();
        dns.close();
    }

    @Test
    void aPoisonMessageShouldBeDeadLetteredByRedriveAndReconciledByTheDeadLetterHandler() {
        // Given: a worker claimed the job and then the function crashed on every receive
        String body = PipelineHarness.job("poison-1", "ann@example.org", "");
        pipeline.wiring.ledger().claim("poison-1", PayloadFingerprint.of(body), "crashing-worker", Duration.ofSeconds(1),
                List.of("ann@example.org"), null, Instant.now());
        pipeline.enqueue(body);
        BatchDriver crashing = new BatchDriver((message, end) -> {
            throw new IllegalStateException("simulated crash");
        }, 1);
        SqsPoller sendFunction = new SqsPoller(pipeline.stack.sqs(), pipeline.queueUrl, crashing, Duration.ofSeconds(30),
                Clock.systemUTC(), pipeline.wiring.log());

        // When: SQS gives up after two receives and moves it to the DLQ, where the dead-letter function runs
        sendFunction.runUntilEmpty(1);
        pipeline.deadLetterPoller().runUntilEmpty(1);

        // Then
        JobRecord job = pipeline.job("poison-1");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).isEqualTo("exceeded receive count");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(pipeline.deadLetters().read(job.archiveKey())).isEqualTo(body);
        assertThat(pipeline.takeDeadLetters()).isEmpty();
        assertThat(mx.received()).isEmpty();
        // And: no attempt ever reached the ledger, yet the expiry has its events, their mail made from the dead letter
        List<PublishedEvents.Event> events = pipeline.takeEvents();
        assertThat(events).extracting(PublishedEvents.Event::eventId).containsExactlyInAnyOrder(
                EventId.of("poison-1", null, "SENT", 0), EventId.of("poison-1", "ann@example.org", "EXPIRED", 0));
        assertThat(events).allSatisfy(event -> {
            assertThat(event.json().at("/mail/messageId").asText()).isNotEmpty();
            assertThat(event.json().at("/mail/destination/0").asText()).isEqualTo("ann@example.org");
        });
        assertThat(pipeline.job("poison-1").outbox()).isEmpty();
    }

    @Test
    void aPoisonMessageUnderAnotherJobsIdShouldBeArchivedWithoutDeadLetteringThatJob() {
        // Given: job owner-1 waits for its retry; another payload under its id reached the DLQ by redrive
        String owned = PipelineHarness.job("owner-1", "ann@example.org", "");
        Instant now = Instant.now();
        pipeline.wiring.ledger().claim("owner-1", PayloadFingerprint.of(owned), "worker-a", Duration.ofMinutes(1),
                List.of("ann@example.org"), null, now);
        pipeline.wiring.ledger().record(new AttemptResult("owner-1", "worker-a", JobStatus.DEFERRED, null, Map.of(
                "ann@example.org", new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, now)),
                now.plusSeconds(60), "ann@example.org: 451 4.3.0 later", null, now));
        JobRecord before = pipeline.job("owner-1");
        String other = PipelineHarness.job("owner-1", "bob@example.org", "");
        pipeline.stack.sqs().sendMessage(b -> b.queueUrl(pipeline.deadLetterQueueUrl).messageBody(other));

        // When
        pipeline.deadLetterPoller().runUntilEmpty(1);

        // Then: the payload is archived under the id, and owner-1's item is as it was
        assertThat(pipeline.job("owner-1")).isEqualTo(before);
        List<String> archived = pipeline.stack.s3().listObjectsV2(b -> b.bucket(pipeline.archiveBucket)
                .prefix("dead-letters/owner-1/")).contents().stream().map(S3Object::key).toList();
        assertThat(archived).hasSize(1);
        assertThat(pipeline.deadLetters().read(archived.get(0))).isEqualTo(other);
    }

    @Test
    void aRedrivenJobShouldBeSentAgainWithFreshAttempts() {
        // Given: a job that expired because its recipient was unreachable for a while
        pipeline.close();
        mx.close();
        mx = SmtpTestServer.builder().bind("127.0.0.2").rejectRecipient("ann@example.org", 451, "4.3.0 later").start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("MAILROOM_MAX_ATTEMPTS", "1"));
        pipeline.enqueue(PipelineHarness.job("redrive-1", "ann@example.org", ""));
        pipeline.drain();
        assertThat(pipeline.job("redrive-1").status()).isEqualTo(JobStatus.DEAD_LETTERED);
        pipeline.takeDeadLetters();

        // When: the recipient's server recovers and the operator redrives the job
        mx.close();
        mx = SmtpTestServer.builder().bind("127.0.0.2").port(mx.port()).start();
        pipeline.redrive().redrive("redrive-1");
        pipeline.drain();

        // Then
        JobRecord job = pipeline.job("redrive-1");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(mx.received()).hasSize(1);
        // And: each life of the job published its own events, none a repeat of the other's id
        List<PublishedEvents.Event> events = pipeline.takeEvents();
        assertThat(events).extracting(PublishedEvents.Event::eventId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder(EventId.of("redrive-1", null, "SENT", 0),
                        EventId.of("redrive-1", "ann@example.org", "EXPIRED", 1),
                        EventId.of("redrive-1", "ann@example.org", "DELIVERED", 2, 1));
        assertThat(events).extracting(PublishedEvents.Event::eventType)
                .containsExactlyInAnyOrder("Send", "Bounce", "Delivery");
    }

    @Test
    void aRedrivenJobThatExpiresAgainAtTheSameAttemptCountShouldPublishASecondBounce() {
        // Given: a job expired after one attempt, then redriven
        pipeline.close();
        mx.close();
        mx = SmtpTestServer.builder().bind("127.0.0.2").rejectRecipient("ann@example.org", 451, "4.3.0 later").start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("MAILROOM_MAX_ATTEMPTS", "1",
                "TEST_VISIBILITY_TIMEOUT", "1", "TEST_MAX_RECEIVE_COUNT", "2"));
        pipeline.enqueue(PipelineHarness.job("again-1", "ann@example.org", ""));
        pipeline.drain();
        pipeline.takeDeadLetters();
        pipeline.redrive().redrive("again-1");

        // When: the send function crashes on the redriven message until SQS moves it to the DLQ
        BatchDriver crashing = new BatchDriver((message, end) -> {
            throw new IllegalStateException("simulated crash");
        }, 1);
        new SqsPoller(pipeline.stack.sqs(), pipeline.queueUrl, crashing, Duration.ofSeconds(30), Clock.systemUTC(),
                pipeline.wiring.log()).runUntilEmpty(1);
        pipeline.deadLetterPoller().runUntilEmpty(1);

        // Then: EXPIRED at attempt 1 in each life, two transitions and two Bounces (de-duplication keeps both)
        JobRecord job = pipeline.job("again-1");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.recipient("ann@example.org").attempts()).isEqualTo(1);
        List<PublishedEvents.Event> events = pipeline.takeEvents();
        assertThat(PublishedEvents.byId(events)).containsOnlyKeys(EventId.of("again-1", null, "SENT", 0),
                EventId.of("again-1", "ann@example.org", "EXPIRED", 1),
                EventId.of("again-1", "ann@example.org", "EXPIRED", 1, 1));
        assertThat(PublishedEvents.byId(events).values()).extracting(PublishedEvents.Event::eventType)
                .containsExactlyInAnyOrder("Send", "Bounce", "Bounce");
    }
}
