package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.config.ConfigException;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.TestKeys;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One-click unsubscribe through the send function: with Mailroom's endpoint configured and the
 * unsubscribe keys in the key document, a job asking for it reaches each recipient as a message of
 * its own, signed, whose List-Unsubscribe token names that recipient.
 */
@Timeout(120)
class UnsubscribePipelineTest {

    private static final String ENDPOINT = "https://unsubscribe.mailroom.test/u/{token}";
    private OneMxPipeline world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aJobAskingForMailroomsEndpointShouldReachEachRecipientSignedWithTheirOwnToken() throws Exception {
        // Given
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_UNSUBSCRIBE_URL", ENDPOINT));
        PipelineHarness pipeline = world.pipeline();
        pipeline.enqueue(PipelineHarness.job("unsub-1", "ann@example.org",
                "\"cc\":[\"bob@example.org\"],\"unsubscribe\":{\"scope\":\"newsletter\"}"));

        // When
        pipeline.drain();

        // Then: delivered, one message each, each token verifying to its recipient
        assertThat(pipeline.job("unsub-1").status()).isEqualTo(JobStatus.DELIVERED);
        UnsubscribeToken tokens = new UnsubscribeToken("t1", Map.of("t1", TestKeys.UNSUBSCRIBE_KEY));
        assertThat(world.mx().received()).hasSize(2).allSatisfy(message -> {
            String field = message.header("List-Unsubscribe").orElseThrow();
            String token = field.substring("<https://unsubscribe.mailroom.test/u/".length(), field.length() - 1);
            assertThat(tokens.verify(token)).contains(new UnsubscribeToken.Claims("unsub-1",
                    message.recipients().get(0), "newsletter"));
            assertThat(message.header("List-Unsubscribe-Post")).contains("List-Unsubscribe=One-Click");
        });
        for (ReceivedMessage message : world.mx().received()) {
            DkimVerifier.assertEveryVerifierPasses(Files.readAllBytes(message.eml()),
                    TestKeys.records(PipelineHarness.SENDER_DOMAIN), 2);
        }
        assertThat(pipeline.job("unsub-1").recipients().values()).allSatisfy(r -> assertThat(r.signedBy()).hasSize(2));
    }

    @Test
    void anEndpointWithoutUnsubscribeKeysShouldStopTheStartNamingTheVariable() {
        // Given: a key document with DKIM keys only
        String dkimOnly = "{\"dkim\":[]}";

        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_UNSUBSCRIBE_URL", ENDPOINT,
                "MAILROOM_KEYS", dkimOnly));

        // Then: reading the keys (at start, or after a SnapStart restore) fails, naming the variable
        assertThatThrownBy(() -> world.pipeline().wiring.loadKeys())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_UNSUBSCRIBE_URL: needs unsubscribe keys");
    }
}
