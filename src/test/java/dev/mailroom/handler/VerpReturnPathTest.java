package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.BounceToken;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.TestKeys;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With MAILROOM_BOUNCE_DOMAIN set, each recipient's MAIL FROM is its own VERP return path
 * ({@code bounces+<token>@<bounce domain>}), one transaction each over one connection, and the token
 * names the job and the recipient under the bounce key; checked at a real SMTP server.
 */
class VerpReturnPathTest {

    private static final String BOUNCE_DOMAIN = "bounces." + PipelineHarness.SENDER_DOMAIN;

    private OneMxPipeline world;

    @BeforeEach
    void start() {
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_BOUNCE_DOMAIN", BOUNCE_DOMAIN));
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void mailFromShouldCarryEachRecipientsOwnTokenWhenABounceDomainIsConfigured() {
        // Given: a job to two recipients of one domain, without its own envelopeFrom
        String body = "{\"version\":1,\"jobId\":\"inv-2026-000123\",\"from\":\"billing@" + PipelineHarness.SENDER_DOMAIN
                + "\",\"to\":[\"Ann <Ann@example.org>\"],\"cc\":[\"bob@example.org\"],\"subject\":\"Invoice\",\"text\":\"hi\"}";

        // When
        world.pipeline().enqueue(body);
        world.pipeline().drain();

        // Then: two transactions, each from its recipient's return path, at most 64 octets of local part
        assertThat(world.pipeline().job("inv-2026-000123").status()).isEqualTo(JobStatus.DELIVERED);
        List<ReceivedMessage> received = world.mx().received();
        assertThat(world.mx().sessionsAccepted()).as("one connection, reused between the transactions").isEqualTo(1);
        assertThat(received).hasSize(2).allSatisfy(message -> {
            assertThat(message.recipients()).hasSize(1);
            assertThat(message.envelopeFrom()).startsWith("bounces+").endsWith("@" + BOUNCE_DOMAIN);
            assertThat(message.envelopeFrom().indexOf('@')).isLessThanOrEqualTo(64);
        });
        // And: each decodes back to the job and its own recipient, among the job's recipients
        BounceToken token = TestKeys.bounceToken();
        List<String> recipients = List.of("ann@example.org", "bob@example.org");
        for (ReceivedMessage message : received) {
            BounceToken.Reference reference = BounceToken.read(message.envelopeFrom()).orElseThrow();
            assertThat(reference.jobId()).isEqualTo("inv-2026-000123");
            assertThat(token.recipientOf(reference, recipients))
                    .contains(message.recipients().get(0).toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void aTamperedReturnPathShouldNameNoRecipient() {
        // Given: a delivered job's return path
        world.pipeline().enqueue("{\"version\":1,\"jobId\":\"tamper-1\",\"from\":\"billing@" + PipelineHarness.SENDER_DOMAIN
                + "\",\"to\":[\"ann@example.org\"],\"subject\":\"Hi\",\"text\":\"hi\"}");
        world.pipeline().drain();
        String returnPath = world.mx().received().get(0).envelopeFrom();
        BounceToken token = TestKeys.bounceToken();
        List<String> recipients = List.of("ann@example.org");

        // When: its MAC altered by one character, or its job renamed
        String local = returnPath.substring(0, returnPath.indexOf('@'));
        int macAt = "bounces+1".length();
        char flipped = local.charAt(macAt) == 'a' ? 'b' : 'a';
        String otherMac = local.substring(0, macAt) + flipped + local.substring(macAt + 1);
        String otherJob = local.replace(".tamper-1", ".tamper-2");

        // Then: the original names ann, neither alteration does, nor another key
        assertThat(token.recipientOf(BounceToken.read(returnPath).orElseThrow(), recipients)).contains("ann@example.org");
        assertThat(token.recipientOf(BounceToken.read(otherMac).orElseThrow(), recipients)).isEmpty();
        assertThat(token.recipientOf(BounceToken.read(otherJob).orElseThrow(), recipients)).isEmpty();
        BounceToken otherKey = new BounceToken("x", Map.of("x", "another-bounce-key-of-32-bytes!!".getBytes()));
        assertThat(otherKey.recipientOf(BounceToken.read(returnPath).orElseThrow(), recipients)).isEmpty();
    }

    @Test
    void aJobNamingItsOwnEnvelopeFromShouldKeepItWithoutVerp() {
        // Given
        world.pipeline().enqueue("{\"version\":1,\"jobId\":\"own-sender\",\"from\":\"billing@" + PipelineHarness.SENDER_DOMAIN
                + "\",\"envelopeFrom\":\"returns@" + PipelineHarness.SENDER_DOMAIN + "\","
                + "\"to\":[\"ann@example.org\",\"bob@example.org\"],\"subject\":\"Hi\",\"text\":\"hi\"}");

        // When
        world.pipeline().drain();

        // Then: one transaction, from the job's own sender
        assertThat(world.mx().received()).singleElement().satisfies(message -> {
            assertThat(message.envelopeFrom()).isEqualTo("returns@" + PipelineHarness.SENDER_DOMAIN);
            assertThat(message.recipients()).hasSize(2);
        });
    }

    @Test
    void aJobWhoseIdCannotFitShouldGoFromThePlainBounceAddress() {
        // Given: a job id whose upper-case letters take three characters each in a token
        String jobId = "INVOICE-2026-0001234-ACME";

        // When
        world.pipeline().enqueue("{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"billing@"
                + PipelineHarness.SENDER_DOMAIN + "\",\"to\":[\"ann@example.org\"],\"subject\":\"Hi\",\"text\":\"hi\"}");
        world.pipeline().drain();

        // Then
        assertThat(BounceToken.fits(jobId)).isFalse();
        assertThat(world.mx().received()).singleElement()
                .satisfies(message -> assertThat(message.envelopeFrom()).isEqualTo("bounces@" + BOUNCE_DOMAIN));
    }
}
