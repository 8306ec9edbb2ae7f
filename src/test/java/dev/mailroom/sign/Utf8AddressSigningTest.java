package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.ED25519;
import static dev.mailroom.sign.TestSigning.RECORDS;
import static dev.mailroom.sign.TestSigning.RSA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.MemoryAttachmentStore;
import dev.mailroom.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A message with UTF-8 header fields (RFC 6532: addresses with non-ASCII local parts in From, To and
 * Cc), signed with RSA and Ed25519 at once, judged by the independent verifiers: the signed bytes
 * are the bytes sent — raw UTF-8, not cut to ISO-8859-1 by Jakarta Mail's header writer — and both
 * signatures pass as sent and fail when a signed field changes.
 */
class Utf8AddressSigningTest {

    private static final ComposedMessage MESSAGE = new MessageComposer(new MemoryAttachmentStore(), TestSigning.CLOCK)
            .compose(TestJobs.parsed(TestJobs.from("Zoë Müller <zoë@example.com>")
                    .to("José Núñez <josé@exemplo.pt>").cc("用户@例子.广告")
                    .subject("Olá — 你好").text("Grüße, Zoë\n").build()));
    private static final byte[] SIGNED = TestSigning.signedAsReceived(MESSAGE, TestSigning.signer(RSA, ED25519));

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mailroom.testing.DkimVerifier#all")
    void bothSignaturesShouldPassOnAMessageWithUtf8Addresses(DkimVerifier verifier) {
        // Given: the message is SMTPUTF8, and its header carries the addresses as UTF-8 bytes
        assertThat(MESSAGE.smtpUtf8()).isTrue();
        assertThat(MESSAGE.eightBit()).isTrue();
        String sent = new String(SIGNED, StandardCharsets.UTF_8);
        assertThat(sent).contains("\r\nFrom: =?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <zoë@example.com>\r\n")
                .contains("<josé@exemplo.pt>").contains("Cc: 用户@xn--fsqu00a.xn--4rr70v\r\n");

        // When / Then
        assertThat(verifier.requireInstalled().verify(SIGNED, RECORDS)).hasSize(2)
                .allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isTrue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.mailroom.testing.DkimVerifier#all")
    void bothSignaturesShouldFailWhenTheUtf8FromChangesAfterSigning(DkimVerifier verifier) {
        // Given: one UTF-8 byte of the From address changed after signing ("zoë" → "zoê": C3 AB → C3 AA)
        byte[] changed = SIGNED.clone();
        byte[] from = "<zoë@".getBytes(StandardCharsets.UTF_8);
        int at = indexOf(changed, from);
        changed[at + 4] = (byte) 0xAA;

        // Then
        assertThat(verifier.requireInstalled().verify(changed, RECORDS)).hasSize(2)
                .allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isFalse());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
