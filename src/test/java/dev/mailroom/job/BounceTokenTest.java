package dev.mailroom.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VERP token: short enough for a local part, case-proof, and naming only what its key signed. */
class BounceTokenTest {

    private static final byte[] KEY = "bounce-token-test-key-of-32bytes".getBytes(StandardCharsets.US_ASCII);
    private final BounceToken token = new BounceToken("k1", Map.of("k1", KEY));

    @Test
    void aLowerCaseUuidJobIdShouldFitInA64OctetLocalPart() {
        // Given: the SQS message id a job without its own id goes by
        String jobId = "059f36b4-87a3-44ab-83d2-661975830a7d";

        // When
        String local = token.localPart(jobId, "Ann@Example.org").orElseThrow();

        // Then (RFC 5321 §4.5.3.1.1)
        assertThat(local.length()).isLessThanOrEqualTo(64);
        assertThat(local).matches("bounces\\+1[a-z2-7]{13}\\.[a-z0-9_-]+");
        BounceToken.Reference reference = BounceToken.read(local + "@bounces.example.com").orElseThrow();
        assertThat(reference.jobId()).isEqualTo(jobId);
        assertThat(token.recipientOf(reference, List.of("bob@example.org", "ann@example.org"))).contains("ann@example.org");
    }

    @Test
    void aTokenShouldSurviveAMailSystemFoldingItsCase() {
        String local = token.localPart("job.7/A", "ann@example.org").orElseThrow();

        BounceToken.Reference reference = BounceToken.read(local.toUpperCase(Locale.ROOT) + "@X.EXAMPLE").orElseThrow();

        assertThat(reference.jobId()).isEqualTo("job.7/A");
        assertThat(token.recipientOf(reference, List.of("ann@example.org"))).contains("ann@example.org");
    }

    @Test
    void aTokenShouldVerifyUnderAnOldKeyAfterRotation() {
        String local = token.localPart("job-1", "ann@example.org").orElseThrow();
        BounceToken rotated = new BounceToken("k2", Map.of("k1", KEY,
                "k2", "bounce-token-test-key-2-32-bytes".getBytes(StandardCharsets.US_ASCII)));

        assertThat(rotated.recipientOf(BounceToken.read(local).orElseThrow(), List.of("ann@example.org")))
                .contains("ann@example.org");
    }

    @Test
    void anythingElseShouldReadAsNoToken() {
        assertThat(BounceToken.read("bounces@example.com")).isEmpty();
        assertThat(BounceToken.read("billing@example.com")).isEmpty();
        assertThat(BounceToken.read("bounces+1abc.job@example.com")).isEmpty();
        assertThat(BounceToken.read("bounces+1aaaaaaaaaaaaa.jo%b@example.com")).isEmpty();
        assertThat(BounceToken.read(null)).isEmpty();
    }

    @Test
    void aJobIdTooLongShouldGetNoToken() {
        String jobId = "a".repeat(BounceToken.MAX_JOB_CHARS + 1);

        assertThat(BounceToken.fits(jobId)).isFalse();
        assertThat(token.localPart(jobId, "ann@example.org")).isEmpty();
        assertThat(BounceToken.fits("a".repeat(BounceToken.MAX_JOB_CHARS))).isTrue();
    }

    @Test
    void aShortKeyShouldBeRefused() {
        assertThatThrownBy(() -> new BounceToken("k", Map.of("k", new byte[16])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32");
    }
}
