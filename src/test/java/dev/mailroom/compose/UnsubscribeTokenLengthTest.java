package dev.mailroom.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.Unsubscribe;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Intake holds a URL to one line by {@link Unsubscribe#maxTokenChars}: it must be the token's real length at most. */
class UnsubscribeTokenLengthTest {

    @ParameterizedTest
    @CsvSource({"j, a@b.c, s", "inv-2026-000123, Ann.Example@Example.ORG, acme/newsletter",
            "job:with/odd=chars+1, x@xn--bcher-kva.example, example.com"})
    void theBoundShouldBeExactForTheLongestKeyIdAndHoldForShorterOnes(String jobId, String recipient, String scope) {
        byte[] key = new byte[32];
        String longest = new UnsubscribeToken("k".repeat(Unsubscribe.MAX_KEY_ID_CHARS), Map.of(
                "k".repeat(Unsubscribe.MAX_KEY_ID_CHARS), key)).issue(jobId, recipient, scope);
        String shorter = new UnsubscribeToken("k1", Map.of("k1", key)).issue(jobId, recipient, scope);

        assertThat(longest).hasSize(Unsubscribe.maxTokenChars(jobId, recipient, scope));
        assertThat(shorter.length()).isLessThan(Unsubscribe.maxTokenChars(jobId, recipient, scope));
        // URL-safe as it is: put in a URL without encoding (RFC 3986 unreserved characters)
        assertThat(longest).matches("[A-Za-z0-9._-]+");
    }
}
