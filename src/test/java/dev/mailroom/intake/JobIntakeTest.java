package dev.mailroom.intake;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.InternetAddress;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every field is checked before delivery, and a rejection names the field. */
class JobIntakeTest {

    private final JobIntake intake = new JobIntake(new JobLimits(5, 1_000, 3, 200),
            new SenderPolicy(Set.of("example.com")), Set.of("mailroom-attachments"));

    private static String job(String fields) {
        return "{\"version\":1,\"from\":\"Billing <billing@example.com>\",\"to\":[\"ann@example.org\"],"
                + "\"subject\":\"Hi\",\"text\":\"hello\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    @Test
    void acceptShouldTakeAValidJobWithItsOwnIdAndDeduplicatedEnvelope() {
        IntakeResult result = intake.accept(job("\"jobId\":\"inv-2026-1\",\"cc\":[\"Ann <ANN@example.org>\","
                + "\"bob@example.net\"],\"bcc\":[\"zoe@bücher.example\"]"), "sqs-message-id");

        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
        IntakeResult.Accepted accepted = (IntakeResult.Accepted) result;
        assertThat(accepted.jobId()).isEqualTo("inv-2026-1");
        assertThat(accepted.recipients()).extracting(InternetAddress::getAddress)
                .containsExactly("ann@example.org", "bob@example.net", "zoe@xn--bcher-kva.example");
    }

    @Test
    void acceptShouldGiveTheEnvelopeSenderAsAnALabelFromEnvelopeFromElseFrom() {
        IntakeResult.Accepted withEnvelopeFrom = (IntakeResult.Accepted) intake.accept(
                job("\"envelopeFrom\":\"Bounces <bounces@bücher.example.com>\""), "id");
        IntakeResult.Accepted fromOnly = (IntakeResult.Accepted) intake.accept(
                job("").replace("billing@example.com", "billing@bücher.example.com"), "id");

        assertThat(withEnvelopeFrom.envelope().sender()).isEqualTo("bounces@xn--bcher-kva.example.com");
        assertThat(fromOnly.envelope().sender()).isEqualTo("billing@xn--bcher-kva.example.com");
    }

    @Test
    void acceptShouldFallBackToTheMessageIdWhenTheJobHasNone() {
        assertThat(intake.accept(job(""), "sqs-message-id").jobId()).isEqualTo("sqs-message-id");
    }

    static Stream<Arguments> invalidJobs() {
        return Stream.of(
                Arguments.of("not json", "{\"version\":1,", "body: not valid JSON"),
                Arguments.of("empty body", "", "body: is empty"),
                Arguments.of("array body", "[1,2]", "body:"),
                Arguments.of("unknown version", job("\"version\":2").replace("\"version\":1,", ""), "version: unsupported version 2"),
                Arguments.of("missing version", job("").replace("\"version\":1,", ""), "version: is required"),
                Arguments.of("misspelt field", job("\"bcC\":[\"x@example.org\"]"), "bcC: unknown field"),
                Arguments.of("wrong type", job("\"cc\":\"bob@example.org\""), "cc: has the wrong type"),
                Arguments.of("missing from", job("").replace("\"from\":\"Billing <billing@example.com>\",", ""), "from: is required"),
                Arguments.of("malformed address", job("\"cc\":[\"bob at example.org\"]"), "cc[0]: not a valid address"),
                Arguments.of("two addresses in one", job("\"cc\":[\"a@example.org, b@example.org\"]"), "cc[0]: must hold exactly one address"),
                Arguments.of("no recipients", job("").replace("\"to\":[\"ann@example.org\"],", ""), "to: at least one recipient"),
                Arguments.of("too many recipients", job("\"cc\":[\"a@x.org\",\"b@x.org\",\"c@x.org\",\"d@x.org\",\"e@x.org\"]"), "to: 6 recipients exceed the limit of 5"),
                Arguments.of("no body", job("").replace(",\"text\":\"hello\"", ""), "text: a body is required"),
                Arguments.of("CR/LF in subject", job("").replace("\"subject\":\"Hi\"", "\"subject\":\"Hi\\r\\nBcc: victim@example.org\""), "subject: contains CR or LF"),
                Arguments.of("CR/LF in display name", job("").replace("Billing <", "Billing\\r\\nBcc: x <"), "from: contains CR or LF"),
                Arguments.of("NUL in header", job("\"headers\":{\"X-Campaign\":\"a\\u0000b\"}"), "headers.X-Campaign: contains a control character"),
                Arguments.of("reserved header", job("\"headers\":{\"Bcc\":\"victim@example.org\"}"), "headers.Bcc: is set by Mailroom"),
                Arguments.of("bad header name", job("\"headers\":{\"X Bad\":\"v\"}"), "headers.X Bad: not a valid header name"),
                Arguments.of("a forged signature", job("\"headers\":{\"DKIM-Signature\":\"v=1; d=bank.example\"}"), "headers.DKIM-Signature: is set by Mailroom"),
                Arguments.of("forged authentication results", job("\"headers\":{\"Authentication-Results\":\"mx; dkim=pass\"}"), "headers.Authentication-Results: is set by Mailroom"),
                Arguments.of("a name DKIM cannot list", job("\"headers\":{\"X-A;b\":\"v\"}"), "headers.X-A;b: a header name with ';' cannot be DKIM-signed"),
                Arguments.of("sender outside the allow-list", job("").replace("billing@example.com", "ceo@evil.test"), "from: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS"),
                Arguments.of("envelope outside the allow-list", job("\"envelopeFrom\":\"bounces@evil.test\""), "envelopeFrom: domain is not in"),
                Arguments.of("attachment from another bucket", job("\"attachments\":[{\"filename\":\"a.pdf\",\"s3\":{\"bucket\":\"someone-else\",\"key\":\"a.pdf\"}}]"), "attachments[0].s3.bucket: is not in MAILROOM_ATTACHMENT_BUCKETS"),
                Arguments.of("path tricks in a key", job("\"attachments\":[{\"filename\":\"a.pdf\",\"s3\":{\"bucket\":\"mailroom-attachments\",\"key\":\"a/../../etc/passwd\"}}]"), "attachments[0].s3.key: must not contain path tricks"),
                Arguments.of("inline content too large", job("\"attachments\":[{\"filename\":\"a.bin\",\"content\":\"" + "A".repeat(2_000) + "\"}]"), "attachments[0].content: inline content exceeds 1000 bytes"),
                Arguments.of("content that is not base64", job("\"attachments\":[{\"filename\":\"a.bin\",\"content\":\"%%%\"}]"), "attachments[0].content: not valid base64"),
                Arguments.of("both content and s3", job("\"attachments\":[{\"filename\":\"a\",\"content\":\"QQ==\",\"s3\":{\"bucket\":\"mailroom-attachments\",\"key\":\"k\"}}]"), "attachments[0]: needs exactly one of content or s3"),
                Arguments.of("bad disposition", job("\"attachments\":[{\"filename\":\"a\",\"content\":\"QQ==\",\"disposition\":\"sideways\"}]"), "attachments[0].disposition: must be attachment or inline"),
                Arguments.of("raw with a body", job("\"raw\":{\"s3\":{\"bucket\":\"mailroom-attachments\",\"key\":\"m.eml\"}}"), "raw: cannot be combined"),
                Arguments.of("bad job id", job("\"jobId\":\"has spaces in it\""), "jobId: must be"),
                Arguments.of("bad expiresAt", job("\"expiresAt\":\"next tuesday\""), "expiresAt: has the wrong type or format"),
                Arguments.of("non-ASCII local part with a space", job("\"cc\":[\"zo ë@example.org\"]"), "cc[0]: not a valid address"),
                Arguments.of("non-ASCII local part, lone surrogate", job("\"cc\":[\"zo\\ud800@example.org\"]"), "cc[0]: the local part is not valid Unicode"),
                Arguments.of("non-ASCII local part, domain not a host name", job("\"cc\":[\"josé@-exemplo.pt\"]"), "cc[0]: the domain is not a valid host name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidJobs")
    void acceptShouldRejectWithAReasonNamingTheField(String kind, String body, String expectedReason) {
        IntakeResult result = intake.accept(body, "sqs-message-id");

        assertThat(result).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith(expectedReason);
    }

    @Test
    void rejectionReasonsShouldNeverQuoteTheMessageContent() {
        IntakeResult result = intake.accept(job("\"cc\":\"TOP-SECRET-CONTENT\""), "id");

        assertThat(((IntakeResult.Rejected) result).reason()).doesNotContain("TOP-SECRET-CONTENT");
    }
}
