package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.Attachment;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SMTP SIZE extension (RFC 1870) with the message's real size: the size declared on MAIL FROM
 * is what the server then receives, and a message fails with a permanent {@code 5.3.4} before a byte
 * of it is sent only when it really is larger than the server's announced limit.
 *
 * <p>Raw messages: the stored object's size plus the header changes Mailroom makes (Bcc dropped,
 * Message-ID and Date added when missing). Composed messages: measured exactly.
 */
@Timeout(60)
class MessageSizeTest {

    private static final String BUCKET = "mailroom-size";
    private static final String BCC_LINE = "Bcc: hidden@size.test\r\n";
    private static DnsTestServer dns;
    private static S3TestServer s3;
    private final List<SmtpTestServer> servers = new ArrayList<>();

    @BeforeAll
    static void startServers() {
        dns = DnsTestServer.start();
        dns.mx("size.test", 10, "mx.size.test").a("mx.size.test", "127.0.0.2");
        s3 = S3TestServer.shared();
        s3.createBucket(BUCKET);
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
    void rawMessageShouldBeDeliveredWhenItFitsAnnouncedSizeThoughAFixedOverheadWouldNot() {
        // Given: the case: a 16,997-byte raw message, a server announcing SIZE 20000
        byte[] raw = rawMessage(16_997, true);
        s3.put(BUCKET, "raw/16997.eml", raw);
        SmtpTestServer mx = mx(20_000);

        // When
        Outcome outcome = deliver(mx, rawJob("raw/16997.eml"));

        // Then
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.size()).isEqualTo(raw.length - BCC_LINE.length()));
    }

    @Test
    void rawMessageShouldBeAcceptedWhenAnnouncedSizeIsExactlyItsRealSize() {
        // Given: stored with Message-ID and Date, so Mailroom's only change is the Bcc line it drops
        byte[] raw = rawMessage(16_997, true);
        s3.put(BUCKET, "raw/exact.eml", raw);
        long realSize = raw.length - BCC_LINE.length();
        SmtpTestServer mx = mx(Math.toIntExact(realSize));

        // When
        Outcome outcome = deliver(mx, rawJob("raw/exact.eml"));

        // Then: delivered, and MAIL FROM declared the real size
        assertThat(outcome).as("outcome: %s", outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.commandLines("MAIL")).singleElement().asString().endsWith(" SIZE=" + realSize);
        assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.size()).isEqualTo(realSize));
    }

    @Test
    void rawMessageShouldFailWith534BeforeAnyByteIsSentWhenAnnouncedSizeIsOneByteShort() {
        // Given
        byte[] raw = rawMessage(16_997, true);
        s3.put(BUCKET, "raw/short.eml", raw);
        long realSize = raw.length - BCC_LINE.length();
        SmtpTestServer mx = mx(Math.toIntExact(realSize - 1));

        // When
        Outcome outcome = deliver(mx, rawJob("raw/short.eml"));

        // Then: RFC 1870 §6.1; no MAIL FROM, no DATA
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.3.4");
        assertThat(outcome.diagnosis().text()).contains("message size " + realSize + " ");
        assertThat(mx.commandLines("MAIL")).isEmpty();
        assertThat(mx.dataAttempts()).isZero();
    }

    @Test
    void rawMessageShouldDeclareTheSizeTheServerReceivesWhenMailroomAddsMessageIdAndDate() {
        // Given: no Message-ID, no Date in the stored message
        s3.put(BUCKET, "raw/bare.eml", rawMessage(5_000, false));
        SmtpTestServer mx = mx(1_000_000);

        // When
        Outcome outcome = deliver(mx, rawJob("raw/bare.eml"));

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertDeclaredSizeIsReceivedSize(mx);
    }

    @ParameterizedTest(name = "inline attachment of {0} bytes")
    @ValueSource(ints = {0, 1, 56, 57, 58, 1_000, 50_000})
    void composedMessageShouldDeclareExactlyTheSizeTheServerReceives(int attachmentBytes) {
        // Given: text with bare line feeds and non-ASCII, html, and an attachment whose base64 ends
        // on and off a full line
        SendJob job = TestJobs.from("Zoë <billing@mailroom.test>").to("ann@size.test").subject("Größe")
                .text("line one\nline two — ünïcödé\n").html("<p>héllo</p>")
                .attach(new Attachment("a.bin", "application/octet-stream", null, null,
                        Base64.getEncoder().encodeToString(new byte[attachmentBytes]), null))
                .build();
        SmtpTestServer mx = mx(10_000_000);

        // When
        Outcome outcome = deliver(mx, job);

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertDeclaredSizeIsReceivedSize(mx);
    }

    @Test
    void composedMessageShouldDeclareExactlyTheSizeTheServerReceivesWithAStoredAttachment() {
        // Given: an attachment streamed from S3, counted by its base64 length without being read
        s3.put(BUCKET, "att/report.bin", new byte[123_457]);
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@size.test").text("see attached")
                .attachS3("report.bin", "application/octet-stream", BUCKET, "att/report.bin").build();
        SmtpTestServer mx = mx(10_000_000);

        // When
        Outcome outcome = deliver(mx, job);

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertDeclaredSizeIsReceivedSize(mx);
    }

    @Test
    void composedMessageShouldPassAtItsRealSizeAndFailWith534OneByteBelow() {
        // Given: the real size, learnt from a first delivery
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@size.test").text("x".repeat(9_000)).build();
        SmtpTestServer roomy = mx(1_000_000);
        assertThat(deliver(roomy, job)).isInstanceOf(Outcome.Delivered.class);
        long realSize = roomy.received().get(0).size();
        roomy.close();

        // When
        SmtpTestServer exact = mx(Math.toIntExact(realSize));
        Outcome atSize = deliver(exact, job);
        exact.close();
        SmtpTestServer tight = mx(Math.toIntExact(realSize - 1));
        Outcome belowSize = deliver(tight, job);

        // Then
        assertThat(atSize).as("outcome at SIZE %d: %s", realSize, atSize).isInstanceOf(Outcome.Delivered.class);
        assertThat(belowSize).isInstanceOf(Outcome.Permanent.class);
        assertThat(belowSize.diagnosis().enhancedCode()).isEqualTo("5.3.4");
        assertThat(tight.commandLines("MAIL")).isEmpty();
    }

    @Test
    void aMessageTooLargeForTheFirstMxShouldGoToABackupThatTakesIt() {
        // Given: the preferred MX takes 1,000 bytes, the backup (same port, next address) 1 MB
        dns.mx("backup.size.test", 10, "small.size.test").a("small.size.test", "127.0.0.2")
                .mx("backup.size.test", 20, "roomy.size.test").a("roomy.size.test", "127.0.0.3");
        SmtpTestServer small = mx(1_000);
        SmtpTestServer roomy = SmtpTestServer.builder().bind("127.0.0.3").port(small.port()).maxMessageSize(1_000_000)
                .start();
        servers.add(roomy);
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@backup.size.test").text("x".repeat(5_000)).build();

        // When
        Outcome outcome = deliver(small, job, "ann@backup.size.test");

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(small.commandLines("MAIL")).isEmpty();
        assertThat(roomy.received()).hasSize(1);
    }

    private static void assertDeclaredSizeIsReceivedSize(SmtpTestServer mx) {
        long received = mx.received().get(0).size();
        assertThat(mx.commandLines("MAIL")).singleElement().asString().endsWith(" SIZE=" + received);
    }

    /** A server on the MX address announcing {@code SIZE limit}. */
    private SmtpTestServer mx(int limit) {
        SmtpTestServer server = SmtpTestServer.builder().bind("127.0.0.2").maxMessageSize(limit).start();
        servers.add(server);
        return server;
    }

    private static SendJob rawJob(String key) {
        return TestJobs.from("billing@mailroom.test").to("ann@size.test").subject(null).raw(BUCKET, key).build();
    }

    private static Outcome deliver(SmtpTestServer mx, SendJob job) {
        return deliver(mx, job, "ann@size.test");
    }

    private static Outcome deliver(SmtpTestServer mx, SendJob job, String recipient) {
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor(recipient).outcome();
        }
    }

    /** A stored RFC 5322 message of exactly {@code bytes} bytes, CRLF line ends, with a Bcc line. */
    private static byte[] rawMessage(int bytes, boolean withIdAndDate) {
        StringBuilder message = new StringBuilder("From: Billing <billing@mailroom.test>\r\nTo: ann@size.test\r\n")
                .append(BCC_LINE).append("Subject: Raw\r\n");
        if (withIdAndDate) {
            message.append("Message-ID: <raw-1@mailroom.test>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n");
        }
        message.append("\r\n");
        String line = "0123456789".repeat(7) + "\r\n";
        while (message.length() + line.length() <= bytes - 2) {
            message.append(line);
        }
        message.append("x".repeat(bytes - 2 - message.length())).append("\r\n");
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
