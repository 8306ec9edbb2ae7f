package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.run.QueueMessage;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SnapStart snapshot holds no private key: priming signs with throwaway keys and reads none of the
 * deployment's; the restored container reads them, and signs with them.
 */
class SnapStartKeysTest {

    @TempDir
    Path dir;
    private OneMxPipeline world;

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void primingShouldReadNoKeyAndTheRestoredContainerShouldSignWithTheDeploymentsKeys() throws IOException {
        // Given: the keys' file is not there while the snapshot is taken — reading it would fail
        Path keys = dir.resolve("keys.json");
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_KEYS_FILE", keys.toString()));
        PipelineHarness pipeline = world.pipeline();
        SnapStartPriming hook = SnapStartPriming.register(pipeline.wiring::prime, pipeline.wiring::loadKeys,
                pipeline.wiring.log());

        // When: the snapshot is primed, then the container restored with the keys in place
        hook.beforeCheckpoint(null);
        assertThat(pipeline.logs).as("priming read no key and failed at nothing").isEmpty();
        Files.writeString(keys, TestKeys.document(PipelineHarness.SENDER_DOMAIN));
        hook.afterRestore(null);

        // Then
        assertThat(pipeline.logs).isEmpty();
        assertThat(pipeline.wiring.loadKeys().dkim().forFrom(PipelineHarness.SENDER_DOMAIN)).hasSize(2);
        pipeline.enqueue(PipelineHarness.job("restored-1", "ann@example.org", ""));
        pipeline.drain();
        assertThat(pipeline.job("restored-1").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().received().get(0).header("DKIM-Signature")).get().asString()
                .contains("s=" + TestKeys.RSA_SELECTOR);
    }

    @Test
    void aJobArrivingWhileTheKeysCannotBeReadShouldBeKeptForLaterNotRejected() throws IOException {
        // Given: a restored container whose keys cannot be read yet (the file is missing)
        Path keys = dir.resolve("keys.json");
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_KEYS_FILE", keys.toString()));
        PipelineHarness pipeline = world.pipeline();
        String body = PipelineHarness.job("unjudged-1", "ann@example.org", "");

        // When: the send step takes the job
        boolean acknowledged = pipeline.wiring.step().acknowledge(new QueueMessage("m-1", "receipt-1", body, Map.of()),
                Instant.now().plusSeconds(60));

        // Then: neither accepted nor rejected: the message stays on the queue, no ledger record, no mail
        assertThat(acknowledged).isFalse();
        assertThat(pipeline.wiring.ledger().find("unjudged-1")).isEmpty();
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"event\":\"job.error\"",
                "IntakeUnavailableException"));
        assertThat(world.mx().sessionsAccepted()).isZero();

        // When: the keys can be read, the same message comes back
        Files.writeString(keys, TestKeys.document(PipelineHarness.SENDER_DOMAIN));
        pipeline.enqueue(body);
        pipeline.drain();

        // Then
        assertThat(pipeline.job("unjudged-1").status()).isEqualTo(JobStatus.DELIVERED);
    }
}
