package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The records of one batch are handled at once (MAILROOM_PARALLEL_JOBS): a Lambda container whose
 * jobs wait on slow servers is not billed for each wait in turn.
 */
class ParallelRecordsTest {

    @Test
    void theJobsOfOneBatchShouldBeDeliveredInParallel() {
        try (OneMxPipeline world = slowServer(Map.of())) {
            // Given: five jobs, one batch
            enqueueFiveJobs(world.pipeline());

            // When
            world.pipeline().drain();

            // Then: each delivered once, their sessions overlapping
            assertAllDeliveredOnce(world);
            assertThat(world.mx().mostOpenSessions()).isGreaterThan(1);
        }
    }

    @Test
    void oneJobAtATimeShouldBeWhatMailroomParallelJobsOfOneMeans() {
        try (OneMxPipeline world = slowServer(Map.of("MAILROOM_PARALLEL_JOBS", "1"))) {
            // Given
            enqueueFiveJobs(world.pipeline());

            // When
            world.pipeline().drain();

            // Then
            assertAllDeliveredOnce(world);
            assertThat(world.mx().mostOpenSessions()).isEqualTo(1);
        }
    }

    /** Every end of DATA is answered after 700 ms, so a session is open long enough to overlap others. */
    private static OneMxPipeline slowServer(Map<String, String> env) {
        return OneMxPipeline.start(server -> server.stallOnData(Duration.ofMillis(700)), env);
    }

    private static void enqueueFiveJobs(PipelineHarness pipeline) {
        IntStream.range(0, 5).forEach(i -> pipeline.enqueue(PipelineHarness.job("parallel-" + i, "user" + i + "@example.org", "")));
    }

    private static void assertAllDeliveredOnce(OneMxPipeline world) {
        IntStream.range(0, 5).forEach(i -> assertThat(world.pipeline().job("parallel-" + i).status())
                .isEqualTo(JobStatus.DELIVERED));
        assertThat(world.mx().received()).hasSize(5);
    }
}
