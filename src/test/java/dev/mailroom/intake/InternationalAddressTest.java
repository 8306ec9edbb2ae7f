package dev.mailroom.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.AddressForm;
import dev.mailroom.job.ParsedJob;
import jakarta.mail.internet.InternetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Internationalised addresses (RFC 6531, RFC 6532, IDNA RFC 5890): a UTF-8 local part is a valid
 * job; intake hands on every address in the form it is sent in (local part NFC, domain a lower-case
 * A-label), and the allow-list, de-duplication and the ledger compare them in one normal form.
 */
class InternationalAddressTest {

    /** "é" as one code point (NFC) and as "e" + combining acute (NFD). */
    private static final String JOSE_NFC = "jos\u00e9";
    private static final String JOSE_NFD = "jose\u0301";

    private final JobIntake intake = new JobIntake(JobLimits.defaults(),
            new SenderPolicy(Set.of("Example.COM", "例子.广告")), Set.of("mailroom-attachments"));

    private IntakeResult.Accepted accept(String from, String recipients) {
        IntakeResult result = intake.accept("{\"version\":1,\"jobId\":\"intl-1\",\"from\":\"" + from + "\","
                + recipients + ",\"subject\":\"Olá\",\"text\":\"hello\"}", "sqs-id");
        assertThat(result).as("%s", result).isInstanceOf(IntakeResult.Accepted.class);
        return (IntakeResult.Accepted) result;
    }

    @Test
    void acceptShouldTakeUtf8LocalPartsWithTheirDomainsAsALabels() {
        // Given / When: a Chinese sender and recipient, a Portuguese one
        IntakeResult.Accepted accepted = accept("用户 <用户@例子.广告>", "\"to\":[\"José <josé@exemplo.pt>\",\"用户@例子.广告\"]");

        // Then
        ParsedJob parsed = accepted.parsed();
        assertThat(parsed.envelope().sender()).isEqualTo("用户@xn--fsqu00a.xn--4rr70v");
        assertThat(accepted.recipients()).extracting(InternetAddress::getAddress)
                .containsExactly("josé@exemplo.pt", "用户@xn--fsqu00a.xn--4rr70v");
        assertThat(parsed.headers().from().getPersonal()).isEqualTo("用户");
        assertThat(parsed.envelope().international()).isTrue();
        assertThat(parsed.headers().international()).isTrue();
    }

    @Test
    void acceptShouldGiveLocalPartsInNfcAndDomainsInLowerCaseWhateverFormTheJobWrote() {
        // Given: the local part decomposed (NFD), the domain in capitals
        IntakeResult.Accepted accepted = accept("billing@example.com", "\"to\":[\"" + JOSE_NFD + "@Exemplo.PT\"]");

        // Then: what goes on the wire is NFC (RFC 6532 §3.1); the case of the local part is kept
        assertThat(accepted.recipients()).extracting(InternetAddress::getAddress).containsExactly(JOSE_NFC + "@exemplo.pt");
    }

    @Test
    void acceptShouldCountOneRecipientWhenTheJobSpellsItInSeveralNormalForms() {
        // Given: the same mailbox as NFC, NFD, in capitals and with its domain as a U-label and an A-label
        IntakeResult.Accepted accepted = accept("billing@example.com", "\"to\":[\"" + JOSE_NFC + "@exemplo.pt\"],"
                + "\"cc\":[\"" + JOSE_NFD + "@EXEMPLO.pt\",\"JOSÉ@exemplo.pt\"],\"bcc\":[\"用户@例子.广告\",\"用户@xn--fsqu00a.xn--4rr70v\"]");

        // Then: one recipient each, under one ledger key
        assertThat(accepted.recipients()).extracting(InternetAddress::getAddress)
                .containsExactly(JOSE_NFC + "@exemplo.pt", "用户@xn--fsqu00a.xn--4rr70v");
        assertThat(accepted.recipients()).extracting(r -> AddressForm.key(r.getAddress()))
                .containsExactly(JOSE_NFC + "@exemplo.pt", "用户@xn--fsqu00a.xn--4rr70v");
    }

    @Test
    void acceptShouldAllowASenderWhoseDomainTheListNamesInAnotherForm() {
        // Given: the list names "Example.COM" and the U-label "例子.广告"; the job writes A-labels and capitals
        IntakeResult.Accepted utf8 = accept("José <josé@EXAMPLE.com>", "\"to\":[\"ann@example.org\"]");
        IntakeResult.Accepted aLabel = accept("用户@xn--fsqu00a.xn--4rr70v", "\"envelopeFrom\":\"bounces@mail.例子.广告\","
                + "\"to\":[\"ann@example.org\"]");

        // Then
        assertThat(utf8.parsed().envelope().sender()).isEqualTo("josé@example.com");
        assertThat(aLabel.parsed().envelope().sender()).isEqualTo("bounces@mail.xn--fsqu00a.xn--4rr70v");
    }

    @Test
    void acceptShouldRejectAUtf8SenderOutsideTheAllowListNamingTheField() {
        // When
        IntakeResult result = intake.accept("{\"version\":1,\"from\":\"josé@exemplo.pt\",\"to\":[\"ann@example.org\"],"
                + "\"subject\":\"Hi\",\"text\":\"hello\"}", "sqs-id");

        // Then
        assertThat(result).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).isEqualTo("from: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
    }

    @Test
    void keyShouldBeOneNormalFormForEverySpellingOfAMailbox() {
        assertThat(AddressForm.key(JOSE_NFD + "@Exemplo.PT")).isEqualTo(AddressForm.key("JOSÉ@exemplo.pt"))
                .isEqualTo(JOSE_NFC + "@exemplo.pt");
        assertThat(AddressForm.key("Zoe@Bücher.Example")).isEqualTo("zoe@xn--bcher-kva.example");
        assertThat(AddressForm.domain("BÜCHER.example")).isEqualTo("xn--bcher-kva.example");
    }
}
