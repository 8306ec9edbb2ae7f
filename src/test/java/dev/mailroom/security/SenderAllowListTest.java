package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.HeaderField;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sender allow-list ({@code MAILROOM_ALLOWED_SENDER_DOMAINS=example.com}) holds for the From
 * header and for the envelope sender alike: the domain itself and its subdomains pass; look-alikes
 * — the allowed name as a prefix or suffix of another, hidden in a quoted local part or a display
 * name, a homograph, a trailing dot — are refused with a reason naming the field. A raw message's
 * own sender fields (From, Sender, Resent-From, Resent-Sender) are held to the same list.
 */
class SenderAllowListTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")),
            Set.of("mailroom-attachments"));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"billing@example.com", "Billing <billing@example.com>", "billing@mail.example.com",
            "billing@a.b.mail.example.com", "billing@EXAMPLE.COM", "Billing <BILLING@Mail.Example.Com>",
            "\"billing dept\"@example.com", "\"x@evil.test\"@example.com"})
    void fromShouldBeAcceptedForTheAllowedDomainAndItsSubdomains(String from) {
        assertThat(INTAKE.accept(job(from, null), "id")).as(from).isInstanceOf(IntakeResult.Accepted.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bounces@example.com", "bounces@mail.example.com", "BOUNCES@Bounce.Example.COM"})
    void envelopeFromShouldBeAcceptedForTheAllowedDomainAndItsSubdomains(String envelopeFrom) {
        assertThat(INTAKE.accept(job("billing@example.com", envelopeFrom), "id")).as(envelopeFrom)
                .isInstanceOf(IntakeResult.Accepted.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LOOKALIKE_1, LOOKALIKE_2, LOOKALIKE_3, LOOKALIKE_4, LOOKALIKE_5, LOOKALIKE_6, LOOKALIKE_7,
            LOOKALIKE_8, LOOKALIKE_9, LOOKALIKE_10, LOOKALIKE_11, LOOKALIKE_12, LOOKALIKE_13})
    void fromShouldRefuseLookAlikeDomains(String from) {
        IntakeResult result = INTAKE.accept(job(from, null), "id");

        assertThat(result).as(from).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith("from: ");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {LOOKALIKE_1, LOOKALIKE_2, LOOKALIKE_3, LOOKALIKE_4, LOOKALIKE_5, LOOKALIKE_6, LOOKALIKE_7,
            LOOKALIKE_8, LOOKALIKE_9, LOOKALIKE_10, LOOKALIKE_11, LOOKALIKE_12, LOOKALIKE_13})
    void envelopeFromShouldRefuseLookAlikeDomainsEvenWhenFromIsAllowed(String envelopeFrom) {
        IntakeResult result = INTAKE.accept(job("billing@example.com", envelopeFrom), "id");

        assertThat(result).as(envelopeFrom).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith("envelopeFrom: ");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"billing@example.com.evil.test", "billing@evilexample.com"})
    void theReasonShouldNameTheAllowListForADomainOutsideIt(String sender) {
        assertThat(((IntakeResult.Rejected) INTAKE.accept(job(sender, null), "id")).reason())
                .isEqualTo("from: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
        assertThat(((IntakeResult.Rejected) INTAKE.accept(job("billing@example.com", sender), "id")).reason())
                .isEqualTo("envelopeFrom: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"billing@example.com", "Billing <billing@example.com>", "=?UTF-8?Q?B=C3=BCro?= <a@mail.example.com>",
            "billing@example.com, accounts@example.com", "billing@example.com (Billing)"})
    void aRawMessagesFromShouldBeAcceptedForTheAllowedDomainAndItsSubdomains(String from) {
        assertThat(INTAKE.checkSenderFields(List.of(new HeaderField("From", from)))).as(from).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {LOOKALIKE_1, LOOKALIKE_2, LOOKALIKE_3, LOOKALIKE_4, LOOKALIKE_5, LOOKALIKE_6, LOOKALIKE_7,
            LOOKALIKE_8, LOOKALIKE_9, LOOKALIKE_10, LOOKALIKE_11, LOOKALIKE_12, LOOKALIKE_13,
            "billing@example.com, ceo@evil.test", "ceo@evil.test (billing@example.com)", "undisclosed: billing@example.com;", " "})
    void aRawMessagesFromShouldRefuseLookAlikeDomainsAndEveryOtherAuthor(String from) {
        // Raw mode: the stored message's From is read only when the message is (see SenderAllowListPipelineTest)
        assertThat(INTAKE.checkSenderFields(List.of(new HeaderField("From", from)))).as(from)
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("raw From: "));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Sender", "Resent-From", "Resent-Sender", "SENDER", "resent-from"})
    void aRawMessagesOtherSenderFieldsShouldBeHeldToTheAllowListToo(String field) {
        List<HeaderField> fields = List.of(new HeaderField("From", "billing@example.com"),
                new HeaderField(field, "ceo@evil.test"));

        assertThat(INTAKE.checkSenderFields(fields)).get().asString()
                .matches("raw (?i)" + field + ": domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Reply-To", "To", "Cc", "Return-Path", "X-Original-From"})
    void aRawMessagesFieldsThatNameNoSenderShouldBeLeftAlone(String field) {
        List<HeaderField> fields = List.of(new HeaderField("From", "billing@example.com"),
                new HeaderField(field, "someone@elsewhere.test"));

        assertThat(INTAKE.checkSenderFields(fields)).isEmpty();
    }

    static final String LOOKALIKE_1 = "billing@example.com.evil.test";
    static final String LOOKALIKE_2 = "billing@evilexample.com";
    static final String LOOKALIKE_3 = "billing@example.co";
    static final String LOOKALIKE_4 = "billing@example.com.";
    static final String LOOKALIKE_5 = "\"billing@example.com\"@evil.test";
    static final String LOOKALIKE_6 = "billing@example.com <ceo@evil.test>";
    static final String LOOKALIKE_7 = "billing@exаmple.com"; // Cyrillic а (U+0430)
    static final String LOOKALIKE_8 = "billing@example-com.evil.test";
    static final String LOOKALIKE_9 = "billing@example.com@evil.test";
    static final String LOOKALIKE_10 = "billing%example.com@evil.test";
    static final String LOOKALIKE_11 = "<@example.com:ceo@evil.test>";
    static final String LOOKALIKE_12 = "billing@[127.0.0.1]";
    static final String LOOKALIKE_13 = "billing@xn--example-.com";

    private static String job(String from, String envelopeFrom) {
        ObjectNode job = JSON.createObjectNode().put("version", 1).put("from", from);
        if (envelopeFrom != null) {
            job.put("envelopeFrom", envelopeFrom);
        }
        job.putArray("to").add("ann@example.org");
        return job.put("subject", "s").put("text", "t").toString();
    }
}
