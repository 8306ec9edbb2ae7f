package dev.mailroom.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** A one-click unsubscribe token names job, recipient and scope, and only a key of ours makes one. */
class UnsubscribeTokenTest {

    private static final byte[] KEY_2026 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_2027 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final UnsubscribeToken TOKENS = new UnsubscribeToken("k2026", Map.of("k2026", KEY_2026));

    @Test
    void aTokenShouldSayWhichJobRecipientAndScopeItIsFor() {
        String token = TOKENS.issue("inv-2026/000123", "Ann.Example@Example.ORG", "tenant:acme");

        assertThat(TOKENS.verify(token))
                .contains(new UnsubscribeToken.Claims("inv-2026/000123", "ann.example@example.org", "tenant:acme"));
        assertThat(token).matches("[A-Za-z0-9_.-]+");
    }

    @Test
    void aTokenShouldVerifyAgainstAnHmacComputedByTheJdkNotByUs() throws Exception {
        String token = TOKENS.issue("job-1", "ann@example.org", "list:news");
        String signed = token.substring(0, token.lastIndexOf('.'));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY_2026, "HmacSHA256"));

        assertThat(java.util.Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)))
                .isEqualTo(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aTokenChangedInAnyWayShouldNotVerify() {
        String token = TOKENS.issue("job-1", "ann@example.org", "list:news");
        String[] parts = token.split("\\.");
        String otherRecipient = TOKENS.issue("job-1", "bob@example.org", "list:news").split("\\.")[3];

        assertThat(TOKENS.verify(String.join(".", parts[0], parts[1], parts[2], otherRecipient, parts[4], parts[5])))
                .isEmpty();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            String flipped = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertThat(TOKENS.verify(flipped)).as("changed at %d", i).isEmpty();
        }
        assertThat(TOKENS.verify(token + ".x")).isEmpty();
        assertThat(TOKENS.verify("")).isEmpty();
        assertThat(TOKENS.verify(null)).isEmpty();
    }

    @Test
    void aTokenOfAnotherKeyShouldNotVerify() {
        UnsubscribeToken forger = new UnsubscribeToken("k2026", Map.of("k2026", KEY_2027));

        assertThat(TOKENS.verify(forger.issue("job-1", "ann@example.org", "list:news"))).isEmpty();
    }

    @Test
    void tokensOfARetiringKeyShouldStillVerifyWhileANewKeySigns() {
        String old = TOKENS.issue("job-1", "ann@example.org", "list:news");
        UnsubscribeToken rotated = new UnsubscribeToken("k2027", Map.of("k2026", KEY_2026, "k2027", KEY_2027));

        assertThat(rotated.verify(old)).isPresent();
        assertThat(rotated.issue("job-2", "ann@example.org", "list:news")).startsWith("v1.k2027.");
        assertThat(TOKENS.verify(rotated.issue("job-2", "ann@example.org", "list:news"))).isEmpty();
    }

    @Test
    void shortKeysAndAMissingSigningKeyShouldBeRefusedAndNoKeyEverPrinted() {
        assertThatThrownBy(() -> new UnsubscribeToken("k", Map.of("k", new byte[16])))
                .hasMessageContaining("at least 32");
        assertThatThrownBy(() -> new UnsubscribeToken("k2027", Map.of("k2026", KEY_2026)))
                .hasMessageContaining("no unsubscribe key k2027");
        assertThat(TOKENS.toString()).doesNotContain(new String(KEY_2026, StandardCharsets.US_ASCII));
    }
}
