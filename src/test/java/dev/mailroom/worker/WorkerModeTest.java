package dev.mailroom.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same pipeline as a long-running poller, for hosts where port 25 is open. */
class WorkerModeTest {

    private OneMxPipeline world;
    private PipelineHarness pipeline;

    @BeforeEach
    void start() {
        world = OneMxPipeline.start();
        pipeline = world.pipeline();
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void aWorkerShouldProcessTheQueueUntilItIsEmpty() {
        // Given: 25 jobs, more than two batches
        IntStream.range(0, 25).forEach(i -> pipeline.enqueue(PipelineHarness.job("w-" + i, "r" + i + "@example.org", "")));

        // When
        pipeline.poller().runUntilEmpty(1);

        // Then
        IntStream.range(0, 25).forEach(i -> assertThat(pipeline.job("w-" + i).status()).isEqualTo(JobStatus.DELIVERED));
        assertThat(world.mx().received()).hasSize(25);
    }

    @Test
    void stoppingAWorkerShouldFinishTheBatchInHandAndLoseNothing() throws Exception {
        // Given: a worker running in the background, and a slow server
        SmtpTestServer mx = world.replaceMx(server -> server.stallOnData(Duration.ofMillis(200)));
        IntStream.range(0, 15).forEach(i -> pipeline.enqueue(PipelineHarness.job("s-" + i, "r" + i + "@example.org", "")));
        SqsPoller worker = pipeline.poller();
        Thread thread = new Thread(worker::run);
        thread.start();

        // When: SIGTERM arrives after the first message went out
        mx.awaitReceived(1, Duration.ofSeconds(20));
        worker.stop();
        thread.join(Duration.ofSeconds(40).toMillis());

        // Then: the worker exited; every job is either delivered or still on the queue for the next worker
        assertThat(thread.isAlive()).isFalse();
        long delivered = IntStream.range(0, 15).filter(i -> pipeline.wiring.ledger().find("s-" + i)
                .map(j -> j.status() == JobStatus.DELIVERED).orElse(false)).count();
        assertThat(delivered).isBetween(1L, 15L);
        pipeline.drain();
        IntStream.range(0, 15).forEach(i -> assertThat(pipeline.job("s-" + i).status()).isEqualTo(JobStatus.DELIVERED));
        assertThat(mx.received()).hasSize(15);
    }
}
