package dev.mailroom.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the receiving server gets: the message parsed back at the far end of a real SMTP session. */
class CompositionDeliveryTest {

    private static final String BUCKET = "mailroom-attachments";
    private static DnsTestServer dns;
    private static S3TestServer s3;
    private SmtpTestServer mx;
    private DeliveryEngine engine;

    @BeforeAll
    static void startServers() {
        dns = DnsTestServer.start();
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.2");
        s3 = S3TestServer.shared();
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServers() {
        dns.close();
    }

    @BeforeEach
    void startMx() {
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns);
    }

    @AfterEach
    void stopMx() {
        engine.close();
        mx.close();
    }

    @Test
    void deliverShouldSendTextHtmlInlineImageAndAttachmentInTheStandardStructure() throws Exception {
        // Given
        byte[] logo = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3};
        SendJob job = TestJobs.from("Zoë Müller <billing@mailroom.test>")
                .to("Ann <ann@example.test>").cc("cc@example.test").bcc("hidden@example.test")
                .replyTo("support@mailroom.test")
                .subject("Your invoice — € 42 ✓")
                .text("Plain part")
                .html("<p>Html part <img src=\"cid:logo\"></p>")
                .header("List-Unsubscribe", "<https://mailroom.test/u/123>")
                .attach(new Attachment("logo.png", "image/png", "inline", "logo",
                        Base64.getEncoder().encodeToString(logo), null))
                .attach(new Attachment("facture août.pdf", "application/pdf", null, null,
                        Base64.getEncoder().encodeToString("%PDF-1.4 fake".getBytes(StandardCharsets.US_ASCII)), null))
                .build();

        // When
        DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        // Then: delivered, one transaction carrying all three envelope recipients
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.received().get(0).recipients())
                .containsExactlyInAnyOrder("ann@example.test", "cc@example.test", "hidden@example.test");

        MimeMessage received = mx.received().get(0).parse();
        // headers, RFC 2047 decoded
        assertThat(received.getSubject()).isEqualTo("Your invoice — € 42 ✓");
        assertThat(((InternetAddress) received.getFrom()[0]).getPersonal()).isEqualTo("Zoë Müller");
        assertThat(received.getHeader("Subject", null)).doesNotContain("€");
        assertThat(received.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("Ann <ann@example.test>");
        assertThat(received.getHeader("Bcc")).isNull();
        assertThat(received.getReplyTo()[0].toString()).isEqualTo("support@mailroom.test");
        assertThat(received.getHeader("List-Unsubscribe", null)).isEqualTo("<https://mailroom.test/u/123>");
        assertThat(received.getMessageID()).isEqualTo(report.messageId()).endsWith("@mailroom.test>");
        assertThat(received.getSentDate()).isNotNull();

        // structure: mixed[ related[ alternative[plain, html], png ], pdf ]
        assertThat(received.getContentType()).startsWith("multipart/mixed");
        MimeMultipart mixed = (MimeMultipart) received.getContent();
        assertThat(mixed.getCount()).isEqualTo(2);
        assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/related");
        MimeMultipart related = (MimeMultipart) mixed.getBodyPart(0).getContent();
        MimeMultipart alternative = (MimeMultipart) related.getBodyPart(0).getContent();
        assertThat(related.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Plain part");
        assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat((String) alternative.getBodyPart(1).getContent()).contains("cid:logo");

        BodyPart image = related.getBodyPart(1);
        assertThat(image.getContentType()).startsWith("image/png");
        assertThat(image.getDisposition()).isEqualTo("inline");
        assertThat(image.getHeader("Content-ID")[0]).isEqualTo("<logo>");
        assertThat(image.getInputStream().readAllBytes()).isEqualTo(logo);

        BodyPart pdf = mixed.getBodyPart(1);
        assertThat(pdf.getContentType()).startsWith("application/pdf");
        assertThat(pdf.getDisposition()).isEqualTo("attachment");
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(pdf.getFileName())).isEqualTo("facture août.pdf");
        assertThat(new String(pdf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("%PDF-1.4 fake");
    }

    @Test
    void deliverShouldSendATextOnlyJobAsASinglePart() throws Exception {
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@example.test").text("Just text, ünïcödé").build();

        TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        MimeMessage received = mx.received().get(0).parse();
        assertThat(received.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        // SMTP ends the message with a line break
        assertThat(((String) received.getContent()).strip()).isEqualTo("Just text, ünïcödé");
    }

    @Test
    void deliverShouldStreamAnS3AttachmentThatArrivesByteExact() throws Exception {
        // Given: 3 MB of random bytes in the bucket
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);
        s3.put(BUCKET, "a/report.bin", content);
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@example.test").text("attached")
                .attachS3("report.bin", "application/octet-stream", BUCKET, "a/report.bin").build();

        // When
        DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        // Then
        assertThat(report.resultFor("ann@example.test").outcome()).isInstanceOf(Outcome.Delivered.class);
        MimeMultipart mixed = (MimeMultipart) mx.received().get(0).parse().getContent();
        BodyPart attachment = mixed.getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo("report.bin");
        try (InputStream in = attachment.getInputStream()) {
            assertThat(sha256(in)).isEqualTo(sha256(new java.io.ByteArrayInputStream(content)));
        }
    }

    @Test
    void deliverShouldFailPermanentlyWithoutConnectingWhenAnS3AttachmentIsMissing() {
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@example.test").text("attached")
                .attachS3("gone.pdf", "application/pdf", BUCKET, "a/does-not-exist.pdf").build();

        DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        Outcome outcome = report.resultFor("ann@example.test").outcome();
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.6.0");
        assertThat(mx.sessionsAccepted()).isZero();
    }

    @Test
    void deliverShouldSendARawMessageAsItIsWithoutItsBccHeader() throws Exception {
        // Given: an application-built message with a Bcc header and no Message-ID
        String body = "--b1\r\nContent-Type: text/plain\r\n\r\nraw body line\r\n.leading dot\r\n--b1--\r\n";
        String raw = "From: App <app@mailroom.test>\r\n"
                + "To: ann@example.test\r\n"
                + "Bcc: secret@example.test\r\n"
                + "Subject: built by the app\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                + "\r\n" + body;
        s3.put(BUCKET, "raw/message.eml", raw.getBytes(StandardCharsets.US_ASCII));
        SendJob job = TestJobs.from("app@mailroom.test").to("ann@example.test").bcc("secret@example.test")
                .raw(BUCKET, "raw/message.eml").build();

        // When
        DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        // Then: the envelope reaches both; the Bcc header is gone; a Message-ID and Date were added
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Delivered.class));
        SmtpTestServer.ReceivedMessage received = mx.received().get(0);
        assertThat(received.recipients()).containsExactlyInAnyOrder("ann@example.test", "secret@example.test");
        String wire = received.content();
        assertThat(wire).doesNotContain("Bcc:").doesNotContain("secret@");
        assertThat(wire).contains("Message-ID: " + report.messageId()).contains("\r\nDate: ");
        assertThat(wire).endsWith("\r\n\r\n" + body);
        assertThat(received.parse().getSubject()).isEqualTo("built by the app");
    }

    @Test
    void deliverShouldKeepTheMessageIdOfARawMessageThatHasOne() throws Exception {
        String raw = "From: app@mailroom.test\r\nTo: ann@example.test\r\nMessage-ID: <app-123@mailroom.test>\r\n"
                + "Subject: s\r\n\r\nhello\r\n";
        s3.put(BUCKET, "raw/with-id.eml", raw.getBytes(StandardCharsets.US_ASCII));
        SendJob job = TestJobs.from("app@mailroom.test").to("ann@example.test").raw(BUCKET, "raw/with-id.eml").build();

        DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));

        assertThat(report.messageId()).isEqualTo("<app-123@mailroom.test>");
        assertThat(mx.received().get(0).parse().getMessageID()).isEqualTo("<app-123@mailroom.test>");
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
