package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SMTP envelope is the one intake parsed: internationalised domains go out as A-labels
 * (RFC 5891 §4.4), whatever form the job wrote them in, and a job with ASCII local parts is sent
 * without SMTPUTF8 (RFC 6531; UTF-8 local parts are {@code SmtpUtf8Test}'s). Checked at a real SMTP
 * server, on the lines it received.
 */
class EnvelopeAddressTest {

    private static final String IDN_SENDER_DOMAIN = "bücher." + PipelineHarness.SENDER_DOMAIN;
    private static final String ACE_SENDER_DOMAIN = "xn--bcher-kva." + PipelineHarness.SENDER_DOMAIN;

    private OneMxPipeline world;

    @BeforeEach
    void start() {
        world = OneMxPipeline.start();
        world.dns().mx("xn--bcher-kva.example.org", 10, "mx.example.org");
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void mailFromShouldCarryTheSendersDomainAsAnALabelWhenTheJobWritesItAsAULabel() {
        // Given: a sender in an internationalised subdomain of the allowed domain, no envelopeFrom
        String body = "{\"version\":1,\"jobId\":\"idn-sender\",\"from\":\"Billing <billing@" + IDN_SENDER_DOMAIN + ">\","
                + "\"to\":[\"ann@example.org\"],\"subject\":\"Invoice\",\"text\":\"hello\"}";

        // When
        world.pipeline().enqueue(body);
        world.pipeline().drain();

        // Then
        assertThat(world.pipeline().job("idn-sender").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().commandLines("MAIL")).singleElement().asString()
                .startsWith("MAIL FROM:<billing@" + ACE_SENDER_DOMAIN + ">");
        assertThat(world.mx().received()).singleElement()
                .satisfies(m -> assertThat(m.envelopeFrom()).isEqualTo("billing@" + ACE_SENDER_DOMAIN));
    }

    @Test
    void envelopeShouldCarryALabelsWhenEnvelopeFromAndRecipientsAreInternationalised() {
        // Given
        String body = "{\"version\":1,\"jobId\":\"idn-envelope\",\"from\":\"billing@" + PipelineHarness.SENDER_DOMAIN
                + "\",\"envelopeFrom\":\"bounces@" + IDN_SENDER_DOMAIN + "\","
                + "\"to\":[\"Zoë <zoe@bücher.example.org>\"],\"cc\":[\"ann@example.org\"],\"subject\":\"Hi\",\"text\":\"hello\"}";

        // When
        world.pipeline().enqueue(body);
        world.pipeline().drain();

        // Then
        assertThat(world.pipeline().job("idn-envelope").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(world.mx().commandLines("MAIL")).allSatisfy(line ->
                assertThat(line).startsWith("MAIL FROM:<bounces@" + ACE_SENDER_DOMAIN + ">"));
        assertThat(world.mx().commandLines("RCPT"))
                .containsExactlyInAnyOrder("RCPT TO:<zoe@xn--bcher-kva.example.org>", "RCPT TO:<ann@example.org>");
    }
}
