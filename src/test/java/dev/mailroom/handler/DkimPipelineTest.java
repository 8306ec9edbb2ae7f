package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The send function signs with the deployment's keys (here MAILROOM_KEYS, as PipelineHarness sets
 * it), records who signed each recipient's message in the ledger and the log, and by default refuses
 * a job whose From domain it cannot sign for; with {@code MAILROOM_DKIM_MISSING_KEY=unsigned} it sends
 * such a job unsigned, with a warning line and a metric.
 */
@Timeout(120)
class DkimPipelineTest {

    private static final String SIGNED = PipelineHarness.SENDER_DOMAIN;
    private OneMxPipeline world;

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void aJobShouldArriveSignedAndTheLedgerAndLogNameTheSigningKeys() throws IOException {
        // Given
        world = OneMxPipeline.start();
        PipelineHarness pipeline = world.pipeline();
        pipeline.enqueue(PipelineHarness.job("dkim-1", "ann@example.org", ""));

        // When
        pipeline.drain();

        // Then: delivered, verified by both independent verifiers against the published records
        assertThat(pipeline.job("dkim-1").status()).isEqualTo(JobStatus.DELIVERED);
        byte[] received = Files.readAllBytes(world.mx().received().get(0).eml());
        DkimVerifier.assertEveryVerifierPasses(received, TestKeys.records(SIGNED), 2);
        // ...the ledger and the recipient's log line say which keys signed it
        List<String> keys = List.of(TestKeys.rsa(SIGNED).dnsName(), TestKeys.ed25519(SIGNED).dnsName());
        RecipientRecord ann = pipeline.job("dkim-1").recipients().get("ann@example.org");
        assertThat(ann.signedBy()).isEqualTo(keys);
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"event\":\"recipient.outcome\"",
                "\"signedBy\":[\"" + keys.get(0) + "\",\"" + keys.get(1) + "\"]"));
        assertThat(pipeline.logs).noneSatisfy(line -> assertThat(line).contains("message.unsigned"));
    }

    @Test
    void aJobFromADomainWithoutAKeyShouldBeRejectedByDefault() {
        // Given: other.test may send, but no key signs for it
        world = OneMxPipeline.start(server -> server,
                Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS", SIGNED + ",other.test"));
        PipelineHarness pipeline = world.pipeline();
        pipeline.enqueue(PipelineHarness.job("dkim-2", "ann@example.org", "").replace("sender@" + SIGNED,
                "sender@Other.Test"));

        // When
        pipeline.drain();

        // Then: nothing sent, and the reason names the field and the domain
        assertThat(pipeline.job("dkim-2").status()).isEqualTo(JobStatus.REJECTED);
        assertThat(pipeline.job("dkim-2").lastError())
                .isEqualTo("from: no DKIM key for other.test (MAILROOM_DKIM_MISSING_KEY=reject)");
        assertThat(world.mx().sessionsAccepted()).isZero();
    }

    @Test
    void aRawMessageWhoseFromHasNoKeyShouldBeRejectedByDefault() {
        // Given: the job's own sender is signable, the stored message's From is not
        world = OneMxPipeline.start(server -> server,
                Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS", SIGNED + ",other.test"));
        PipelineHarness pipeline = world.pipeline();
        pipeline.upload("raw/other.eml", ("From: news@other.test\r\nTo: ann@example.org\r\nSubject: raw\r\n\r\nHi\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        pipeline.enqueue("{\"version\":1,\"jobId\":\"dkim-3\",\"from\":\"sender@" + SIGNED + "\",\"to\":[\"ann@example.org\"],"
                + "\"raw\":{\"s3\":{\"bucket\":\"" + pipeline.bucket + "\",\"key\":\"raw/other.eml\"}}}");

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("dkim-3").status()).isEqualTo(JobStatus.REJECTED);
        assertThat(pipeline.job("dkim-3").lastError())
                .isEqualTo("raw From: no DKIM key for other.test (MAILROOM_DKIM_MISSING_KEY=reject)");
        assertThat(world.mx().dataAttempts()).isZero();
    }

    @Test
    void aRawMessageShouldBeSignedForItsOwnFromWhateverDomainTheJobsFromNames() throws IOException {
        // Given: the job's own sender has no key, the stored message's From has one
        world = OneMxPipeline.start(server -> server,
                Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS", SIGNED + ",other.test"));
        PipelineHarness pipeline = world.pipeline();
        pipeline.upload("raw/signed.eml", ("From: news@" + SIGNED + "\r\nTo: ann@example.org\r\nSubject: raw\r\n\r\nHi\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        pipeline.enqueue("{\"version\":1,\"jobId\":\"dkim-5\",\"from\":\"bounces@other.test\",\"to\":[\"ann@example.org\"],"
                + "\"raw\":{\"s3\":{\"bucket\":\"" + pipeline.bucket + "\",\"key\":\"raw/signed.eml\"}}}");

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("dkim-5").status()).isEqualTo(JobStatus.DELIVERED);
        DkimVerifier.assertEveryVerifierPasses(Files.readAllBytes(world.mx().received().get(0).eml()),
                TestKeys.records(SIGNED), 2);
    }

    @Test
    void aJobFromADomainWithoutAKeyShouldGoOutUnsignedWithAWarningAndAMetricWhenAllowed() {
        // Given
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS",
                SIGNED + ",other.test", "MAILROOM_DKIM_MISSING_KEY", "unsigned"));
        PipelineHarness pipeline = world.pipeline();
        pipeline.enqueue(PipelineHarness.job("dkim-4", "ann@example.org", "").replace("sender@" + SIGNED,
                "sender@other.test"));

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("dkim-4").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().received().get(0).header("DKIM-Signature")).isEmpty();
        assertThat(pipeline.job("dkim-4").recipients().get("ann@example.org").signedBy()).isEmpty();
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"event\":\"message.unsigned\"",
                "\"jobId\":\"dkim-4\"", "\"level\":\"WARN\"", "\"fromDomain\":\"other.test\""));
        assertThat(pipeline.logs).anySatisfy(line -> assertThat(line).contains("\"CloudWatchMetrics\"", "\"Unsigned\":1"));
    }
}
