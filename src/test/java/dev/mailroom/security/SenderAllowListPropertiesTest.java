package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.S3Location;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.InputStream;
import java.net.IDN;
import java.time.Clock;
import java.util.Properties;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * No parser differential around the sender allow-list. Intake checks the sender with its own strict
 * parse; the From header and the SMTP envelope are built later from the same string by other code
 * (the composer and the delivery engine re-parse it). Whatever sender string intake accepts, the
 * address that is re-parsed from it must still be in an allowed domain — else a crafted string
 * would be checked as one address and sent as another.
 */
class SenderAllowListPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SenderPolicy POLICY = new SenderPolicy(Set.of("example.com"));
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), POLICY, Set.of("mailroom-attachments"));
    private static final Session SESSION = Session.getInstance(new Properties());

    @Property(tries = 1000)
    void anAcceptedFromShouldComposeAndReparseIntoAnAllowedDomain(@ForAll("senders") String from) throws Exception {
        IntakeResult result = INTAKE.accept(job(from, null), "id");
        coverage(result);
        if (!(result instanceof IntakeResult.Accepted accepted)) {
            return;
        }
        // As DeliveryEngine.envelopeFrom and MessageComposer.address read it:
        assertThat(domainAllowed(new InternetAddress(from, true).getAddress())).as("re-parsed %s", from).isTrue();
        String header = composedFrom(accepted.parsed());
        assertThat(domainAllowed(InternetAddress.parseHeader(header, true)[0].getAddress()))
                .as("From header %s for %s", header, from).isTrue();
    }

    @Property(tries = 1000)
    void anAcceptedEnvelopeFromShouldReparseIntoAnAllowedDomain(@ForAll("senders") String envelopeFrom) throws Exception {
        IntakeResult result = INTAKE.accept(job("billing@example.com", envelopeFrom), "id");
        coverage(result);
        if (!(result instanceof IntakeResult.Accepted)) {
            return;
        }
        assertThat(domainAllowed(new InternetAddress(envelopeFrom, true).getAddress()))
                .as("envelope sender re-parsed from %s", envelopeFrom).isTrue();
    }

    /** The generator must reach the accepting side often enough for the property to mean something. */
    private static void coverage(IntakeResult result) {
        Statistics.label("accepted").collect(result instanceof IntakeResult.Accepted);
        Statistics.label("accepted").coverage(coverage -> coverage.check(true).count(n -> n >= 20));
    }

    /**
     * Sender strings built like real ones — display name, local part, domain, trailing text — from
     * parts chosen to confuse a parser, with a random token sometimes slipped in anywhere.
     */
    @Provide
    Arbitrary<String> senders() {
        Arbitrary<String> display = Arbitraries.of("", "Billing ", "\"Billing, Dept\" ", "\"x@evil.test\" ",
                "=?utf-8?q?x?= ", "(comment) ", "billing@evil.test ", "\"a\\\"b\" ", "Zoë ");
        Arbitrary<String> local = Arbitraries.of("billing", "\"john doe\"", "\"x@evil.test\"", "a.b", "a+b",
                "\"a\\\"@b\"", "x%evil.test", "\"\"", "a..b", "@evil.test:billing");
        Arbitrary<String> domain = Arbitraries.of("example.com", "mail.example.com", "EXAMPLE.COM",
                "example.com.evil.test", "evilexample.com", "exаmple.com", "[127.0.0.1]", "example.com.",
                "xn--exmple-cua.com", "example.com (comment)", "evil.test", "bücher.example.com");
        Arbitrary<String> tail = Arbitraries.of("", "", "", " (comment)", " <x@evil.test>", ",", ";", "@evil.test", ">",
                ", x@evil.test");
        Arbitrary<Boolean> angle = Arbitraries.of(true, false);
        Arbitrary<String> built = net.jqwik.api.Combinators.combine(display, local, domain, tail, angle)
                .as((d, l, dom, t, a) -> a ? d + "<" + l + "@" + dom + ">" + t : l + "@" + dom + t);
        Arbitrary<String> token = Arbitraries.of("@", "\"", "<", ">", " ", ",", ";", ":", "(", ")", "\\", ".", "[", "]",
                "%", "!", "=?utf-8?q?", "?=", "é", "\t", "'", "evil.test", "example.com");
        Arbitrary<String> salted = net.jqwik.api.Combinators.combine(built, token, Arbitraries.integers().between(0, 80))
                .as((sender, t, at) -> sender.substring(0, Math.min(at, sender.length())) + t
                        + sender.substring(Math.min(at, sender.length())));
        return Arbitraries.oneOf(built, built, salted);
    }

    private static boolean domainAllowed(String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1);
        try {
            domain = IDN.toASCII(domain);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return POLICY.allows("x@" + domain);
    }

    private static String composedFrom(ParsedJob job) throws Exception {
        AttachmentStore none = new AttachmentStore() {
            @Override
            public long size(S3Location location) {
                throw new AssertionError("no attachments here");
            }

            @Override
            public InputStream open(S3Location location) {
                throw new AssertionError("no attachments here");
            }
        };
        return new MessageComposer(none, Clock.systemUTC()).compose(job).newInstance(SESSION).getHeader("From", ",");
    }

    private static String job(String from, String envelopeFrom) {
        ObjectNode job = JSON.createObjectNode().put("version", 1).put("from", from);
        if (envelopeFrom != null) {
            job.put("envelopeFrom", envelopeFrom);
        }
        job.putArray("to").add("ann@example.org");
        return job.put("subject", "s").put("text", "t").toString();
    }
}
