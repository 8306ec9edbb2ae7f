package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SMTPUTF8 (RFC 6531) and UTF-8 header fields (RFC 6532), at a real SMTP server: a job with a
 * non-ASCII local part goes out in an SMTPUTF8 transaction, its addresses as UTF-8 bytes on the
 * wire, to a server offering SMTPUTF8; a server that does not gets no MAIL FROM, and the recipient
 * fails with 5.6.7 (an address) or 5.6.9 (header fields only) — unless another MX takes it. ASCII
 * jobs, IDN domains included, stay as they were: A-labels, no SMTPUTF8, no BODY=.
 */
class SmtpUtf8Test {

    private static final String JOSE = "jos\u00e9@exemplo.pt";
    private static DnsTestServer dns;
    private final List<SmtpTestServer> servers = new ArrayList<>();

    @BeforeAll
    static void startDns() {
        dns = DnsTestServer.start();
        dns.mx("exemplo.pt", 10, "mx.exemplo.pt").a("mx.exemplo.pt", "127.0.0.2");
        dns.mx("xn--bcher-kva.example", 10, "mx.exemplo.pt");
        dns.mx("two.test", 10, "mx1.two.test").a("mx1.two.test", "127.0.0.2")
                .mx("two.test", 20, "mx2.two.test").a("mx2.two.test", "127.0.0.3");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @AfterEach
    void stopMx() {
        servers.forEach(SmtpTestServer::close);
    }

    @Test
    void deliverShouldUseSmtpUtf8AndSendUtf8BytesWhenARecipientHasANonAsciiLocalPart() throws IOException {
        // Given: a server offering SMTPUTF8 (and 8BITMIME, SIZE)
        SmtpTestServer mx = mx(SmtpTestServer.builder().maxMessageSize(10_000_000));
        SendJob job = TestJobs.from("Billing <billing@mailroom.test>").to("José Núñez <" + JOSE + ">")
                .subject("Olá José").text("Olá!").build();

        // When
        Outcome outcome = deliver(mx, job, JOSE);

        // Then: MAIL FROM carries SMTPUTF8 (RFC 6531 §3.4) and the UTF-8 header's body type, RCPT TO the UTF-8 bytes
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        long received = mx.received().get(0).size();
        assertThat(mx.commandLines("MAIL")).singleElement().asString()
                .startsWith("MAIL FROM:<billing@mailroom.test> SMTPUTF8").contains(" SIZE=" + received + " ")
                .endsWith(" BODY=8BITMIME");
        assertThat(mx.commandLineBytes("RCPT")).singleElement()
                .isEqualTo("RCPT TO:<jos\u00e9@exemplo.pt>".getBytes(StandardCharsets.UTF_8));
        // The To field: the address as raw UTF-8 (RFC 6532 §3.2), the display name and Subject still RFC 2047
        byte[] eml = Files.readAllBytes(mx.received().get(0).eml());
        String asSent = new String(eml, StandardCharsets.UTF_8);
        assertThat(asSent).contains("\r\nTo: =?UTF-8?Q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <jos\u00e9@exemplo.pt>\r\n")
                .contains("\r\nSubject: =?UTF-8?Q?Ol=C3=A1_Jos=C3=A9?=\r\n");
        assertThat(indexOf(eml, "<jos\u00e9@".getBytes(StandardCharsets.UTF_8))).as("UTF-8 on the wire").isPositive();
        assertThat(eml.length).as("SIZE is exact").isEqualTo(received);
    }

    @Test
    void deliverShouldFailWith567BeforeMailFromWhenTheServerDoesNotOfferSmtpUtf8() {
        // Given: a server with 8BITMIME but no SMTPUTF8
        SmtpTestServer mx = mx(SmtpTestServer.builder().withoutSmtpUtf8());
        SendJob job = TestJobs.from("billing@mailroom.test").to(JOSE).subject("Olá").text("Olá!").build();

        // When
        Outcome outcome = deliver(mx, job, JOSE);

        // Then: our own verdict, never a garbled address
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.6.7");
        assertThat(outcome.diagnosis().text()).contains("SMTPUTF8");
        assertThat(outcome.mxHost()).isEqualTo("mx.exemplo.pt");
        assertThat(mx.commands()).contains("EHLO").doesNotContain("MAIL", "RCPT", "DATA");
    }

    @Test
    void deliverShouldFailWith569WhenOnlyAHeaderAddressIsInternationalAndTheServerDoesNotOfferSmtpUtf8() {
        // Given: From has a UTF-8 local part, the envelope is ASCII
        SmtpTestServer mx = mx(SmtpTestServer.builder().withoutSmtpUtf8());
        SendJob job = TestJobs.from("José <jos\u00e9@mailroom.test>").envelopeFrom("bounces@mailroom.test")
                .to("ann@exemplo.pt").subject("Hi").text("hello").build();

        // When
        Outcome outcome = deliver(mx, job, "ann@exemplo.pt");

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.6.9");
        assertThat(mx.commandLines("MAIL")).isEmpty();
    }

    @Test
    void deliverShouldTryTheNextMxWhenTheFirstDoesNotOfferSmtpUtf8() {
        // Given: the preferred MX without SMTPUTF8, the next one with it, on one port
        SmtpTestServer first = mx(SmtpTestServer.builder().withoutSmtpUtf8());
        SmtpTestServer second = mx(SmtpTestServer.builder().bind("127.0.0.3").port(first.port()));
        SendJob job = TestJobs.from("billing@mailroom.test").to("jos\u00e9@two.test").subject("Olá").text("Olá!").build();

        // When
        Outcome outcome = deliver(first, job, "jos\u00e9@two.test");

        // Then
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcome.mxHost()).isEqualTo("mx2.two.test");
        assertThat(first.commandLines("MAIL")).isEmpty();
        assertThat(second.commandLines("MAIL")).singleElement().asString().contains(" SMTPUTF8");
    }

    @Test
    void deliverShouldSendAsciiJobsToIdnDomainsAsALabelsWithoutSmtpUtf8() {
        // Given: a server offering SMTPUTF8; an ASCII local part at an internationalised domain
        SmtpTestServer mx = mx(SmtpTestServer.builder());
        SendJob job = TestJobs.from("billing@mailroom.test").to("Zoë <zoe@bücher.example>").subject("Grüße")
                .text("Grüße").build();

        // When
        Outcome outcome = deliver(mx, job, "zoe@xn--bcher-kva.example");

        // Then: 7-bit, A-labels, no SMTPUTF8 and no body type
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.commandLines("MAIL")).singleElement().asString()
                .isEqualTo("MAIL FROM:<billing@mailroom.test>");
        assertThat(mx.commandLines("RCPT")).containsExactly("RCPT TO:<zoe@xn--bcher-kva.example>");
        assertThat(mx.received().get(0).content().chars().allMatch(c -> c < 0x80)).as("7-bit on the wire").isTrue();
        assertThat(mx.received().get(0).header("To")).hasValue("=?UTF-8?Q?Zo=C3=AB?= <zoe@xn--bcher-kva.example>");
    }

    @Test
    void anAsciiJobAfterAnSmtpUtf8OneShouldNotCarrySmtpUtf8OnTheSameServer() {
        // Given: one engine (connections kept), one server
        SmtpTestServer mx = mx(SmtpTestServer.builder());
        SendJob international = TestJobs.from("billing@mailroom.test").to(JOSE).subject("Olá").text("Olá!").build();
        SendJob ascii = TestJobs.from("billing@mailroom.test").to("ann@exemplo.pt").subject("Hi").text("hello").build();

        // When
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns)) {
            TestEngines.send(engine, international, TestJobs.envelopeOf(international));
            TestEngines.send(engine, ascii, TestJobs.envelopeOf(ascii));
            TestEngines.send(engine, ascii, TestJobs.envelopeOf(ascii));
        }

        // Then: SMTPUTF8 only where it was needed; the SMTPUTF8 connection was not kept for the others
        assertThat(mx.commandLines("MAIL")).containsExactly("MAIL FROM:<billing@mailroom.test> SMTPUTF8 BODY=8BITMIME",
                "MAIL FROM:<billing@mailroom.test>", "MAIL FROM:<billing@mailroom.test>");
        assertThat(mx.commands().stream().filter("EHLO"::equals).count()).isEqualTo(2);
    }

    private SmtpTestServer mx(SmtpTestServerBuilder builder) {
        SmtpTestServer server = servers.isEmpty() ? builder.bind("127.0.0.2").start() : builder.start();
        servers.add(server);
        return server;
    }

    private static Outcome deliver(SmtpTestServer mx, SendJob job, String recipient) {
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor(recipient).outcome();
        }
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
        return -1;
    }
}
