package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 8-bit content and the 8BITMIME extension (RFC 6152): a raw message holding 8-bit bytes is
 * declared {@code BODY=8BITMIME} to a server that offers the extension and goes out byte for byte;
 * to a server that does not, it fails permanently with {@code 5.6.3} ("conversion required but not
 * supported", RFC 3463) before MAIL FROM, since Mailroom streams raw messages as stored and does not
 * convert them. Composed messages are 7-bit (quoted-printable, base64) and declare nothing.
 * Checked on the MAIL FROM lines the server received.
 */
@Timeout(60)
class EightBitMimeTest {

    private static final String BUCKET = "mailroom-8bit";
    private static final String BCC_LINE = "Bcc: hidden@eight.test\r\n";
    private static DnsTestServer dns;
    private static S3TestServer s3;
    private final List<SmtpTestServer> servers = new ArrayList<>();

    @BeforeAll
    static void startServers() {
        dns = DnsTestServer.start();
        dns.mx("eight.test", 10, "mx.eight.test").a("mx.eight.test", "127.0.0.2");
        s3 = S3TestServer.shared();
        s3.createBucket(BUCKET);
        s3.put(BUCKET, "raw/8bit.eml", eightBitMessage());
        s3.put(BUCKET, "raw/7bit.eml", ("From: billing@mailroom.test\r\nTo: ann@eight.test\r\nSubject: plain\r\n"
                + "Message-ID: <seven@mailroom.test>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nplain ascii\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    @AfterAll
    static void stopServers() {
        dns.close();
    }

    @AfterEach
    void stopMx() {
        servers.forEach(SmtpTestServer::close);
    }

    @Test
    void rawEightBitMessageShouldBeDeclaredBody8BitMimeAndArriveByteForByteWhenTheServerOffers8BitMime()
            throws IOException {
        // Given: SubEthaSMTP offers 8BITMIME
        SmtpTestServer mx = mx(SmtpTestServer.builder());

        // When
        Outcome outcome = deliver(mx, rawJob("raw/8bit.eml"));

        // Then
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.commandLines("MAIL")).singleElement().asString()
                .startsWith("MAIL FROM:<billing@mailroom.test>").endsWith(" BODY=8BITMIME");
        byte[] stored = eightBitMessage();
        String storedText = new String(stored, StandardCharsets.ISO_8859_1).replace(BCC_LINE, "");
        byte[] received = Files.readAllBytes(mx.received().get(0).eml());
        assertThat(Arrays.equals(received, storedText.getBytes(StandardCharsets.ISO_8859_1)))
                .as("the stored bytes arrive as they were, less the Bcc line").isTrue();
    }

    @Test
    void rawEightBitMessageShouldFailWith563BeforeMailFromWhenTheServerDoesNotOffer8BitMime() {
        // Given
        SmtpTestServer mx = mx(SmtpTestServer.builder().without8BitMime());

        // When
        Outcome outcome = deliver(mx, rawJob("raw/8bit.eml"));

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.6.3");
        assertThat(outcome.mxHost()).isEqualTo("mx.eight.test");
        assertThat(mx.commandLines("MAIL")).isEmpty();
        assertThat(mx.dataAttempts()).isZero();
    }

    @Test
    void rawSevenBitMessageShouldDeclareNoBodyTypeAndGoToAServerWithout8BitMime() {
        SmtpTestServer mx = mx(SmtpTestServer.builder().without8BitMime());

        Outcome outcome = deliver(mx, rawJob("raw/7bit.eml"));

        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.commandLines("MAIL")).singleElement().asString().doesNotContain("BODY=");
    }

    @Test
    void composedMessageShouldBeSevenBitAndDeclareNoBodyTypeWhateverItsText() {
        // Given: non-ASCII everywhere a job can put it; a server that takes 7-bit mail only
        SmtpTestServer mx = mx(SmtpTestServer.builder().without8BitMime());
        SendJob job = TestJobs.from("Zoë Müller <billing@mailroom.test>").to("Ann <ann@eight.test>")
                .subject("Größe — € ✓").text("Grüße aus Köln\n".repeat(50)).html("<p>日本語のテキスト</p>")
                .header("X-Note", "café").build();

        // When
        Outcome outcome = deliver(mx, job);

        // Then: Jakarta Mail chose quoted-printable or base64 (mail.smtp.allow8bitmime stays off)
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.commandLines("MAIL")).singleElement().asString().doesNotContain("BODY=");
        assertThat(mx.received().get(0).content().chars().allMatch(c -> c < 0x80)).as("7-bit on the wire").isTrue();
    }

    private SmtpTestServer mx(SmtpTestServerBuilder builder) {
        SmtpTestServer server = builder.bind("127.0.0.2").start();
        servers.add(server);
        return server;
    }

    private static SendJob rawJob(String key) {
        return TestJobs.from("billing@mailroom.test").to("ann@eight.test").subject(null).raw(BUCKET, key).build();
    }

    private static Outcome deliver(SmtpTestServer mx, SendJob job) {
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("ann@eight.test").outcome();
        }
    }

    /** UTF-8 in the body (declared 8bit) and, as applications do write them, in a header. */
    private static byte[] eightBitMessage() {
        return ("From: billing@mailroom.test\r\nTo: ann@eight.test\r\n" + BCC_LINE + "Subject: Größe\r\n"
                + "Message-ID: <eight@mailroom.test>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße aus Köln, ça va ? 日本語\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
