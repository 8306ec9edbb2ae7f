package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SnapStart's before-snapshot hook exercises a job's code paths and leaves no trace. */
class SnapStartPrimingTest {

    private OneMxPipeline world;

    @BeforeEach
    void start() {
        world = OneMxPipeline.start();
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void primingShouldSendNothingWriteNothingAndLogNothing() {
        // When: the runtime calls the hook before the snapshot
        SnapStartPriming.register(world.pipeline().wiring::prime, world.pipeline().wiring::loadKeys,
                world.pipeline().wiring.log()).beforeCheckpoint(null);

        // Then
        assertThat(world.mx().sessionsAccepted()).isZero();
        assertThat(world.pipeline().wiring.ledger().find("mailroom-priming")).isEmpty();
        assertThat(world.pipeline().logs).isEmpty();
    }

    @Test
    void aHandlerShouldDeliverAsUsualAfterPriming() {
        // Given
        world.pipeline().wiring.prime();
        world.pipeline().enqueue(PipelineHarness.job("after-priming-1", "ann@example.org", ""));

        // When
        world.pipeline().drain();

        // Then
        assertThat(world.pipeline().job("after-priming-1").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().received()).hasSize(1);
    }
}
