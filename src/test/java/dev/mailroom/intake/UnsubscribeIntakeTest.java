package dev.mailroom.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.ParsedJob;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The {@code unsubscribe} field at intake: resolved when it can be served, refused by field when not. */
class UnsubscribeIntakeTest {

    private static final String ENDPOINT = "https://u.mailroom.test/u/{token}";
    private final JobIntake withEndpoint = intake(new UnsubscribeSupport(true, Optional.of(ENDPOINT)));

    private static JobIntake intake(UnsubscribeSupport support) {
        return new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of("b"), support);
    }

    private static String job(String unsubscribe) {
        return "{\"version\":1,\"from\":\"News <news@Example.com>\",\"to\":[\"ann@example.org\"],\"text\":\"hi\","
                + "\"unsubscribe\":" + unsubscribe + "}";
    }

    @Test
    void aJobWithoutUrlShouldGetMailroomsEndpointTheFromDomainAsScopeAndItsFallbackJobId() {
        // When
        IntakeResult result = withEndpoint.accept(job("{\"mailto\":\"unsub@example.com\"}"), "sqs-1");

        // Then
        ParsedJob parsed = ((IntakeResult.Accepted) result).parsed();
        assertThat(parsed.job().jobId()).isEqualTo("sqs-1");
        assertThat(parsed.unsubscribe()).contains(
                new ParsedJob.ListUnsubscribe(ENDPOINT, Optional.of("mailto:unsub@example.com"), "example.com"));
        assertThat(parsed.isPerRecipient()).isTrue();
    }

    @Test
    void aFixedUrlShouldBeOneMessageForAll() {
        IntakeResult result = intake(UnsubscribeSupport.none())
                .accept(job("{\"url\":\"https://example.com/u/1\",\"scope\":\"news\"}"), "sqs-1");

        ParsedJob parsed = ((IntakeResult.Accepted) result).parsed();
        assertThat(parsed.unsubscribe()).contains(
                new ParsedJob.ListUnsubscribe("https://example.com/u/1", Optional.empty(), "news"));
        assertThat(parsed.isPerRecipient()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"url\":\"http://example.com/u\"}                 | unsubscribe.url: must be an https URL (RFC 8058 §3.1)",
        "{\"url\":\"mailto:u@example.com\"}                 | unsubscribe.url: must be an https URL (RFC 8058 §3.1)",
        "{\"url\":\"https://a b\"}                          | unsubscribe.url: not a valid URL",
        "{\"url\":\"https:///path\"}                        | unsubscribe.url: must name a host",
        "{\"url\":\"https://me:pw@example.com/u\"}          | unsubscribe.url: must not carry a user name or password",
        "{\"url\":\"https://example.com/ü\"}                | unsubscribe.url: must be ASCII (percent-encode other characters, RFC 3986)",
        "{\"url\":\"https://example.com/u\\r\\nBcc: x\"}    | unsubscribe.url: contains CR or LF (header injection)",
        "{\"mailto\":\"not an address\"}                    | unsubscribe.mailto: not a valid address",
        "{\"mailto\":\"Unsub <u@example.com>\"}             | unsubscribe.mailto: must be an address without a display name, or a mailto: URI",
        "{\"mailto\":\"mailto:a@example.com,b@example.com\"} | unsubscribe.mailto: must hold exactly one address",
        "{\"mailto\":\"mailto:{token}@example.com\"}        | unsubscribe.mailto: not a valid mailto: URI (RFC 6068)",
        "{\"scope\":\"has space\"}                          | unsubscribe.scope: must be 1-64 printable ASCII characters, no spaces",
        "{\"url\":42}                                        | unsubscribe.url: has the wrong type or format",
        "true                                                | unsubscribe: has the wrong type or format",
        "{\"link\":\"https://example.com\"}                 | unsubscribe.link: unknown field",
    })
    void aBadFieldShouldBeRefusedByName(String unsubscribe, String reason) {
        assertThat(withEndpoint.accept(job(unsubscribe), "sqs-1"))
                .isEqualTo(new IntakeResult.Rejected("sqs-1", reason));
    }

    @Test
    void whatThisMailroomCannotServeShouldBeRefusedAtIntake() {
        JobIntake plain = intake(UnsubscribeSupport.none());

        assertThat(plain.accept(job("{}"), "sqs-1")).isEqualTo(new IntakeResult.Rejected("sqs-1",
                "unsubscribe.url: is required: this Mailroom has no unsubscribe endpoint of its own (MAILROOM_UNSUBSCRIBE_URL)"));
        assertThat(plain.accept(job("{\"url\":\"https://example.com/u/{token}\"}"), "sqs-1"))
                .isEqualTo(new IntakeResult.Rejected("sqs-1",
                        "unsubscribe.url: {token} needs unsubscribe keys, and this Mailroom has none"));
    }

    @Test
    void aUrlWhoseLineWouldPass998CharactersWithItsTokenShouldBeRefused() {
        String longUrl = "https://example.com/" + "p".repeat(860) + "/{token}";

        assertThat(withEndpoint.accept(job("{\"url\":\"" + longUrl + "\"}"), "sqs-1")).isEqualTo(new IntakeResult.Rejected(
                "sqs-1", "unsubscribe.url: too long: with its token, the List-Unsubscribe line would pass 998 "
                        + "characters (RFC 5322 §2.1.1)"));
    }

    @Test
    void listUnsubscribeHeadersBesideTheFieldShouldBeRefused() {
        String body = "{\"version\":1,\"from\":\"news@example.com\",\"to\":[\"ann@example.org\"],\"text\":\"hi\","
                + "\"headers\":{\"list-unsubscribe-post\":\"List-Unsubscribe=One-Click\"},\"unsubscribe\":{}}";

        assertThat(withEndpoint.accept(body, "sqs-1")).isEqualTo(new IntakeResult.Rejected("sqs-1",
                "headers.list-unsubscribe-post: cannot be combined with unsubscribe, which writes the List-Unsubscribe fields"));
    }

    @Test
    void aRawJobShouldNotAskForUnsubscribeHeaders() {
        String body = "{\"version\":1,\"from\":\"news@example.com\",\"to\":[\"ann@example.org\"],"
                + "\"raw\":{\"s3\":{\"bucket\":\"b\",\"key\":\"m.eml\"}},\"unsubscribe\":{}}";

        assertThat(withEndpoint.accept(body, "sqs-1")).isEqualTo(new IntakeResult.Rejected("sqs-1",
                "raw: cannot be combined with subject, text, html, headers, attachments or unsubscribe"));
    }
}
