package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The allow-list holds for a raw message's own header fields too, not only for the job's
 * {@code from} and {@code envelopeFrom}: a raw job whose stored message claims another domain in
 * From, Sender, Resent-From or Resent-Sender ends {@code REJECTED} with a reason naming the field,
 * its payload goes to the DLQ like any other rejection, and nothing reaches the MX.
 */
class SenderAllowListPipelineTest {

    private static final String ALLOWED = "billing@" + PipelineHarness.SENDER_DOMAIN;

    private OneMxPipeline world;

    @BeforeEach
    void start() {
        world = OneMxPipeline.start();
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "From          | CEO <ceo@evil.test>",
            "From          | \"billing@mailroom.test\" <ceo@evil.test>",
            "From          | billing@mailroom.test, ceo@evil.test",
            "Sender        | ceo@evil.test",
            "Resent-From   | ceo@evil.test",
            "Resent-Sender | ceo@mailroom.test.evil.test"})
    void aRawJobShouldBeRejectedWhenItsMessageNamesASenderOutsideTheAllowList(String field, String value) {
        // Given: an allowed envelope, and a stored message whose own sender field is not
        String headers = field.equals("From") ? "From: " + value + "\r\n"
                : "From: " + ALLOWED + "\r\n" + field + ": " + value + "\r\n";
        world.pipeline().upload("raw/spoof.eml", message(headers));

        // When
        world.pipeline().enqueue(rawJob("raw-spoof"));
        world.pipeline().drain();

        // Then
        String reason = "raw " + field + ": domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS";
        JobRecord job = world.pipeline().job("raw-spoof");
        assertThat(job.status()).isEqualTo(JobStatus.REJECTED);
        assertThat(job.lastError()).isEqualTo(reason);
        assertThat(job.recipient("ann@example.org")).satisfies(ann -> {
            assertThat(ann.status()).isEqualTo(RecipientStatus.FAILED);
            assertThat(ann.replyText()).isEqualTo(reason);
        });
        List<Message> deadLetters = world.pipeline().takeDeadLetters();
        assertThat(deadLetters).singleElement().satisfies(copy -> {
            assertThat(copy.body()).isEqualTo(rawJob("raw-spoof"));
            assertThat(copy.messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue()).contains(reason);
        });
        assertThat(world.mx().sessionsAccepted()).as("SMTP sessions").isZero();
    }

    @Test
    void aRawJobShouldBeDeliveredWhenEverySenderFieldOfItsMessageIsAllowed() {
        // Given
        world.pipeline().upload("raw/ok.eml", message("From: Billing <" + ALLOWED + ">\r\n"
                + "Sender: bounces@mail." + PipelineHarness.SENDER_DOMAIN + "\r\nReply-To: help@elsewhere.test\r\n"));

        // When
        world.pipeline().enqueue(rawJob("raw-ok").replace("raw/spoof.eml", "raw/ok.eml"));
        world.pipeline().drain();

        // Then
        assertThat(world.pipeline().job("raw-ok").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().received()).hasSize(1);
    }

    /** A stored From with a UTF-8 display name (RFC 6532) is the allowed sender, whatever its letters' bytes. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Đặng Văn An", "Ősz Márta", "文员", "Zoë Müller"})
    void aRawJobWhoseFromHasAUtf8NameShouldBeDeliveredWhenItsAddressIsAllowed(String name) {
        // Given: the name's bytes include UTF-8 continuation bytes 0x80–0x9F for all but the last
        world.pipeline().upload("raw/ok.eml", message("From: " + name + " <" + ALLOWED + ">\r\n"));

        // When
        world.pipeline().enqueue(rawJob("raw-utf8").replace("raw/spoof.eml", "raw/ok.eml"));
        world.pipeline().drain();

        // Then
        assertThat(world.pipeline().job("raw-utf8").lastError()).isNull();
        assertThat(world.pipeline().job("raw-utf8").status()).isEqualTo(JobStatus.DELIVERED);
    }

    private String rawJob(String jobId) {
        return "{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"" + ALLOWED + "\",\"to\":[\"ann@example.org\"],"
                + "\"raw\":{\"s3\":{\"bucket\":\"" + world.pipeline().bucket + "\",\"key\":\"raw/spoof.eml\"}}}";
    }

    private static byte[] message(String senderFields) {
        return (senderFields + "To: ann@example.org\r\nSubject: Invoice\r\nMessage-ID: <m1@mailroom.test>\r\n"
                + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nPay up.\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
