package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestContexts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A job id is the idempotency key of one job: the same payload again is a duplicate (one email),
 * another payload under it is a different job, rejected to the DLQ — never silently dropped, and
 * never allowed to alter the job that owns the id.
 */
class JobIdReuseTest {

    private static final String REUSED = "rejected: jobId: already used by another job";

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
    void processShouldRejectADifferentPayloadUnderAFinishedJobsIdToTheDeadLetterQueue() {
        // Given: job reuse-1 was delivered to ann
        start(SmtpTestServer.builder(), Map.of());
        pipeline.enqueue(PipelineHarness.job("reuse-1", "ann@example.org", ""));
        pipeline.drain();
        JobRecord original = pipeline.job("reuse-1");
        pipeline.takeDeadLetters();

        // When: another job, for bob, arrives under the same id
        String other = PipelineHarness.job("reuse-1", "bob@example.org", "").replace("\"Hello\"", "\"Other news\"");
        pipeline.enqueue(other);
        pipeline.drain();

        // Then: it is rejected with its payload in the DLQ, logged and counted; the original's record is untouched
        List<Message> dead = pipeline.takeDeadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).body()).isEqualTo(other);
        assertThat(dead.get(0).messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue()).isEqualTo(REUSED);
        assertThat(pipeline.deadLetters().read(
                dead.get(0).messageAttributes().get(DeadLetters.ARCHIVE_ATTRIBUTE).stringValue())).isEqualTo(other);
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"event\":\"job.rejected\"",
                "\"jobId\":\"reuse-1\"", "jobId: already used by another job"));
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"CloudWatchMetrics\"", "\"Rejected\":1"));
        assertThat(pipeline.job("reuse-1")).isEqualTo(original);
        assertThat(mx.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactly(List.of("ann@example.org"));
    }

    @Test
    void processShouldRejectADifferentPayloadUnderADeferredJobsIdAndLetTheOriginalFinish() throws Exception {
        // Given: job reuse-2 for ann was deferred once (greylisted)
        start(SmtpTestServer.builder().greylist("ann@example.org", 1), Map.of());
        String original = PipelineHarness.job("reuse-2", "ann@example.org", "");
        assertThat(pipeline.handler.handleRequest(TestContexts.event("m-1", original), lambda()).getBatchItemFailures())
                .hasSize(1);
        assertThat(pipeline.job("reuse-2").status()).isEqualTo(JobStatus.DEFERRED);

        // When: another job, for bob, arrives under the same id while reuse-2 waits for its retry
        String other = PipelineHarness.job("reuse-2", "bob@example.org", "");
        assertThat(pipeline.handler.handleRequest(TestContexts.event("m-2", other), lambda()).getBatchItemFailures())
                .isEmpty();

        // Then: bob gets nothing and the other payload is dead-lettered; reuse-2 still goes to ann alone
        assertThat(pipeline.takeDeadLetters()).extracting(Message::body).containsExactly(other);
        JobRecord waiting = pipeline.job("reuse-2");
        assertThat(waiting.status()).isEqualTo(JobStatus.DEFERRED);
        assertThat(waiting.recipients()).containsOnlyKeys("ann@example.org");
        assertThat(pipeline.handler.handleRequest(TestContexts.event("m-1", original), lambda()).getBatchItemFailures())
                .isEmpty();
        assertThat(pipeline.job("reuse-2").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(mx.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactly(List.of("ann@example.org"));
    }

    @Test
    void processShouldTreatTheSamePayloadUnderAFinishedJobsIdAsAHarmlessDuplicate() {
        // Given: job reuse-3 was delivered
        start(SmtpTestServer.builder(), Map.of());
        String body = PipelineHarness.job("reuse-3", "ann@example.org", "");
        pipeline.enqueue(body);
        pipeline.drain();

        // When: the producer sends the very same job again, as a new SQS message
        pipeline.enqueue(body);
        pipeline.drain();

        // Then: one email, nothing rejected
        assertThat(mx.received()).hasSize(1);
        assertThat(pipeline.takeDeadLetters()).isEmpty();
        assertThat(pipeline.logs).noneSatisfy(line -> assertThat(line).contains("\"event\":\"job.rejected\""));
        assertThat(pipeline.job("reuse-3").status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void redriveShouldStillDeliverADeadLetteredJobUnderItsIdWithItsArchivedPayload() {
        // Given: two jobs dead-lettered after their only attempt was deferred, one of them without a jobId
        start(SmtpTestServer.builder().rejectRecipient("ann@example.org", 451, "4.3.0 try later"),
                Map.of("MAILROOM_MAX_ATTEMPTS", "1"));
        pipeline.enqueue(PipelineHarness.job("redrive-1", "ann@example.org", ""));
        String anonymous = pipeline.enqueue(PipelineHarness.job("x", "ann@example.org", "").replace("\"jobId\":\"x\",", ""));
        pipeline.drain();
        assertThat(pipeline.job("redrive-1").status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(pipeline.job(anonymous).status()).isEqualTo(JobStatus.DEAD_LETTERED);
        pipeline.takeDeadLetters();
        world.replaceMx(server -> server);

        // When: both are redriven
        pipeline.redrive().redrive("redrive-1");
        pipeline.redrive().redrive(anonymous);
        pipeline.drain();

        // Then: delivered under their ids, nothing rejected
        assertThat(pipeline.job("redrive-1").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.job(anonymous).status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.job("redrive-1").recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(world.mx().received()).hasSize(2);
        assertThat(pipeline.takeDeadLetters()).isEmpty();
    }

    private static Context lambda() {
        return TestContexts.lambda(Duration.ofMinutes(1));
    }
}
