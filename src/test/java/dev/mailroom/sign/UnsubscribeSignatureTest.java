package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.RECORDS;
import static dev.mailroom.sign.TestSigning.RSA;
import static dev.mailroom.sign.TestSigning.ED25519;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.compose.UnsubscribeLinks;
import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.MemoryAttachmentStore;
import dev.mailroom.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8058 §4: the List-Unsubscribe fields must be covered by a DKIM signature, or a one-click URL could
 * be swapped on the way. A recipient's own message, signed as the delivery signs it, passes independent
 * verifiers; another List-Unsubscribe or List-Unsubscribe-Post added after signing breaks it.
 */
class UnsubscribeSignatureTest {

    private static final UnsubscribeToken TOKENS = new UnsubscribeToken("k1",
            Map.of("k1", "k".repeat(32).getBytes(StandardCharsets.US_ASCII)));
    private static final UnsubscribeLinks LINKS = UnsubscribeLinks.of(Optional.of(TOKENS),
            Optional.of("https://u.example.com/u/{token}"));

    static Stream<DkimVerifier> verifiers() {
        return DkimVerifier.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verifiers")
    void aRecipientsMessageShouldPassWithItsListFieldsSignedAndFailWhenOneIsAdded(DkimVerifier verifier) {
        // Given: a recipient's own message, signed
        SendJob job = TestJobs.from("news@example.com").jobId("news-1").to("ann@example.org", "bob@example.org")
                .text("News").unsubscribe(null, "unsub@example.com", null).build();
        ParsedJob parsed = TestJobs.parsed(job, LINKS.support());
        ComposedMessage forBob = new MessageComposer(new MemoryAttachmentStore(), TestSigning.CLOCK, LINKS)
                .composePerRecipient(parsed).forRecipient(parsed.envelope().recipients().get(1));
        byte[] signed = TestSigning.signedAsReceived(forBob, TestSigning.signer(RSA, ED25519));
        String header = new String(signed, StandardCharsets.ISO_8859_1);

        // Then: the fields are there and in h=, oversigned
        assertThat(header).contains("List-Unsubscribe: <https://u.example.com/u/v1.k1.")
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        String h = header.substring(header.indexOf(" h=") + 3, header.indexOf(';', header.indexOf(" h=")))
                .replaceAll("\\s", "").toLowerCase(java.util.Locale.ROOT);
        assertThat(h.split(":")).filteredOn("list-unsubscribe"::equals).hasSize(2);
        assertThat(h.split(":")).filteredOn("list-unsubscribe-post"::equals).hasSize(2);
        assertThat(verify(verifier, signed)).hasSize(2).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isTrue());

        // When / Then: a second List-Unsubscribe, or a List-Unsubscribe-Post, added later
        assertThat(verify(verifier, Tampering.fieldAddedOnTop(signed, "List-Unsubscribe: <https://evil.test/u>")))
                .hasSize(2).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isFalse());
        assertThat(verify(verifier, Tampering.fieldAddedOnTop(signed, "List-Unsubscribe-Post: List-Unsubscribe=One-Click")))
                .hasSize(2).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isFalse());
        assertThat(verify(verifier, Tampering.fieldChanged(signed, "List-Unsubscribe")))
                .hasSize(2).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isFalse());
    }

    private static java.util.List<DkimVerifier.Verdict> verify(DkimVerifier verifier, byte[] message) {
        return verifier.requireInstalled().verify(message, RECORDS);
    }
}
