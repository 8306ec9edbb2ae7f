package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.ledger.Claim;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestContexts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Duplicates, crashed workers and the Lambda time budget. */
class ConcurrencyTest {

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
    void theSameMessageDeliveredTwiceConcurrentlyShouldProduceOneEmail() throws Exception {
        // Given: the server is slow, so both invocations overlap
        start(SmtpTestServer.builder().stallOnData(Duration.ofMillis(800)), Map.of());
        SQSEvent event = TestContexts.event("msg-1", PipelineHarness.job("dup-1", "ann@example.org", ""));
        CountDownLatch go = new CountDownLatch(1);

        // When: two "Lambda invocations" get the same record at once
        CompletableFuture<SQSBatchResponse> first = CompletableFuture.supplyAsync(() -> invokeAfter(go, event));
        CompletableFuture<SQSBatchResponse> second = CompletableFuture.supplyAsync(() -> invokeAfter(go, event));
        go.countDown();
        List<SQSBatchResponse> responses = List.of(first.get(), second.get());

        // Then: one email; the loser left its copy on the queue (batch failure) instead of sending
        assertThat(mx.received()).hasSize(1);
        assertThat(responses).filteredOn(r -> r.getBatchItemFailures().isEmpty()).hasSize(1);
        assertThat(pipeline.job("dup-1").status()).isEqualTo(JobStatus.DELIVERED);

        // And a later redelivery of the finished job is acknowledged without sending
        assertThat(pipeline.handler.handleRequest(event, TestContexts.lambda(Duration.ofMinutes(1))).getBatchItemFailures()).isEmpty();
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void twoMessagesCarryingTheSameJobHandledConcurrentlyShouldProduceOneEmailAndNoRejection() throws Exception {
        // Given: a producer sent the same job twice (two SQS messages, identical bodies); the server is slow
        start(SmtpTestServer.builder().stallOnData(Duration.ofMillis(800)), Map.of());
        String body = PipelineHarness.job("dup-2", "ann@example.org", "");
        CountDownLatch go = new CountDownLatch(1);

        // When: both are handled at once, then again (as SQS returns the loser's copy)
        CompletableFuture<SQSBatchResponse> first =
                CompletableFuture.supplyAsync(() -> invokeAfter(go, TestContexts.event("msg-a", body)));
        CompletableFuture<SQSBatchResponse> second =
                CompletableFuture.supplyAsync(() -> invokeAfter(go, TestContexts.event("msg-b", body)));
        go.countDown();
        first.get();
        second.get();
        SQSBatchResponse again = pipeline.handler.handleRequest(TestContexts.event("msg-b", body),
                TestContexts.lambda(Duration.ofMinutes(1)));

        // Then: one email; the same payload is a duplicate, never a reused id
        assertThat(mx.received()).hasSize(1);
        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(pipeline.job("dup-2").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.takeDeadLetters()).isEmpty();
        assertThat(pipeline.logs).noneSatisfy(line -> assertThat(line).contains("\"event\":\"job.rejected\""));
    }

    @Test
    void aLeaseHeldByACrashedWorkerShouldExpireAndTheJobComplete() {
        // Given: a worker claimed the job with a 2 s lease, then died
        start(SmtpTestServer.builder(), Map.of("TEST_VISIBILITY_TIMEOUT", "1"));
        String body = PipelineHarness.job("crash-1", "ann@example.org", "");
        Claim crashed = pipeline.wiring.ledger().claim("crash-1", PayloadFingerprint.of(body), "crashed-worker",
                Duration.ofSeconds(2), List.of("ann@example.org"), null, Instant.now());
        assertThat(crashed).isInstanceOf(Claim.Granted.class);
        pipeline.enqueue(body);

        // When: the event source keeps offering the message
        pipeline.drain();

        // Then: refused while the lease lived, done once it had expired
        JobRecord job = pipeline.job("crash-1");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void recordsThatCannotFinishBeforeTheDeadlineShouldBeReturnedUnstarted() {
        // Given: the function has less time left than one attempt needs (2 s connect + 5 s read)
        start(SmtpTestServer.builder(), Map.of());
        SQSEvent event = TestContexts.event("msg-late", PipelineHarness.job("late-1", "ann@example.org", ""));

        // When
        SQSBatchResponse response = pipeline.handler.handleRequest(event, TestContexts.lambda(Duration.ofSeconds(8)));

        // Then: a batch failure, nothing claimed, nothing sent
        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("msg-late");
        assertThat(pipeline.wiring.ledger().find("late-1")).isEmpty();
        assertThat(mx.sessionsAccepted()).isZero();
    }

    private SQSBatchResponse invokeAfter(CountDownLatch go, SQSEvent event) {
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return pipeline.handler.handleRequest(event, TestContexts.lambda(Duration.ofMinutes(1)));
    }
}
