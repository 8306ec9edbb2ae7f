package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.CLOCK;
import static dev.mailroom.sign.TestSigning.ED25519;
import static dev.mailroom.sign.TestSigning.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DKIM-Signature fields themselves: which fields they sign, their tags and their shape. */
class DkimSignerTest {

    private static final String MESSAGE = String.join("\r\n", "Received: from a by b; Tue, 11 Jun 2024 09:00:00 +0000",
            "From: ann@example.com", "To: bob@example.org", "To: carol@example.org", "Subject: Hi",
            "Date: Tue, 11 Jun 2024 09:00:00 +0000", "X-Job-Id: job-7", "", "Hello", "");

    @Test
    void hShouldListPresentFieldsOncePerOccurrenceAndOversignedOnesOnceMore() throws IOException {
        DkimSigner signer = new DkimSigner(List.of(RSA), List.of("X-Job-Id", "X-Absent"), CLOCK);

        Map<String, String> tags = tags(fields(sign(signer, MESSAGE)).get(0));

        // Absent but oversigned (List-Unsubscribe*) listed once, so none can be added; Cc, Reply-To,
        // X-Absent absent and not oversigned, so not listed; Received never signed.
        assertThat(tags.get("h")).isEqualTo("from:from:to:to:subject:subject:date:list-unsubscribe:list-unsubscribe-post:x-job-id");
    }

    @Test
    void theTagsShouldBeRelaxedSha256WithTheClocksTime() throws IOException {
        Map<String, String> tags = tags(fields(sign(TestSigning.signer(RSA), MESSAGE)).get(0));

        assertThat(tags.keySet()).containsExactly("v", "a", "c", "d", "s", "t", "h", "bh", "b");
        assertThat(tags).containsEntry("v", "1").containsEntry("a", "rsa-sha256").containsEntry("c", "relaxed/relaxed")
                .containsEntry("d", "example.com").containsEntry("s", "rsa2024")
                .containsEntry("t", Long.toString(CLOCK.instant().getEpochSecond()));
        assertThat(tags.get("bh")).hasSize(44);
        assertThat(tags.get("b")).hasSize(344); // 256 bytes of RSA-2048 signature in base64
    }

    @Test
    void eachKeyShouldGiveItsOwnFieldInOrderOverTheSameFieldsAndBody() throws IOException {
        List<String> fields = fields(sign(TestSigning.signer(ED25519, RSA), MESSAGE));

        assertThat(fields).hasSize(2);
        Map<String, String> first = tags(fields.get(0));
        Map<String, String> second = tags(fields.get(1));
        assertThat(first.get("a")).isEqualTo("ed25519-sha256");
        assertThat(first.get("b")).hasSize(88); // a 64-byte Ed25519 signature
        assertThat(second.get("a")).isEqualTo("rsa-sha256");
        assertThat(first.get("h")).isEqualTo(second.get("h"));
        assertThat(first.get("bh")).isEqualTo(second.get("bh"));
    }

    @Test
    void theFieldsShouldBeAsciiFoldedToLinesOf78CharactersAtMost() throws IOException {
        DkimSigner signer = new DkimSigner(List.of(RSA, ED25519), List.of("X-A-Rather-Long-Custom-Header-Name"), CLOCK);
        String signatures = new String(sign(signer, MESSAGE), StandardCharsets.US_ASCII);

        assertThat(signatures).endsWith("\r\n").doesNotContain("\n\r").matches("[\\x20-\\x7E\\r\\n]+");
        List<String> lines = Arrays.asList(signatures.split("\r\n"));
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
        assertThat(lines).filteredOn(line -> !line.startsWith(" ")).hasSize(2)
                .allSatisfy(line -> assertThat(line).startsWith("DKIM-Signature: v=1; "));
    }

    @Test
    void aHeaderBlockOverOneMebibyteShouldBeRefusedWhileItIsWritten() {
        SigningStream stream = TestSigning.signer(RSA).signingStream();
        byte[] line = ("X-Filler: " + "x".repeat(988) + "\r\n").getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> {
            for (int i = 0; i <= SigningStream.MAX_HEADER_BYTES / line.length; i++) {
                stream.write(line);
            }
        }).isInstanceOf(DkimException.HeaderBlockTooLarge.class).hasMessage("the header block is larger than 1048576 bytes: not signed");
    }

    @Test
    void namesThatCannotBeSignedShouldBeRefused() {
        assertThatThrownBy(() -> new DkimSigner(List.of(RSA), List.of("DKIM-Signature"), CLOCK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RFC 6376 §3.5");
        assertThatThrownBy(() -> new DkimSigner(List.of(RSA), List.of("X-A;B"), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DkimSigner(List.of(), List.of(), CLOCK)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStreamShouldTakeNoMoreBytesOnceSigned() throws IOException {
        SigningStream stream = TestSigning.signer(RSA).signingStream();
        stream.write(MESSAGE.getBytes(StandardCharsets.US_ASCII));
        byte[] signatures = stream.signatures();

        assertThat(stream.signatures()).isEqualTo(signatures);
        assertThatThrownBy(() -> stream.write('x')).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] sign(DkimSigner signer, String message) throws IOException {
        SigningStream stream = signer.signingStream();
        stream.write(message.getBytes(StandardCharsets.UTF_8));
        return stream.signatures();
    }

    /** Each DKIM-Signature field, unfolded, without its name. */
    private static List<String> fields(byte[] signatures) {
        String text = new String(signatures, StandardCharsets.US_ASCII).replace("\r\n ", " ");
        return text.lines().map(line -> line.substring("DKIM-Signature:".length())).toList();
    }

    /** RFC 6376 §3.2 tag=value pairs, whitespace inside values removed (as verifiers read h=, bh= and b=). */
    private static Map<String, String> tags(String field) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : field.split(";")) {
            if (!tag.isBlank()) {
                String[] pair = tag.split("=", 2);
                tags.put(pair[0].strip(), pair[1].replaceAll("\\s+", ""));
            }
        }
        return tags;
    }
}
