package dev.mailroom.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.Deadline;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.MemoryAttachmentStore;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import dev.mailroom.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The delivery engine signs what it sends: each message composed for an attempt is signed with the
 * keys of its From domain (its own, else a parent's) and the signature holds for the bytes a real
 * SMTP server received — judged by dkimpy and OpenDKIM, not by Mailroom's code. Nothing re-encodes
 * the message after signing: a server offering 8BITMIME gets the 7-bit composed message unchanged
 * (Angus's 8-bit conversion would break the body hash), and the SIZE declared counts the signature.
 */
@Timeout(120)
class SignedDeliveryTest {

    private static final String DOMAIN = "mailroom.test";
    private static final String BUCKET = "signed";
    private static final byte[] ATTACHMENT = randomBytes(300_000);
    private static final MemoryAttachmentStore STORE = new MemoryAttachmentStore()
            .put(new S3Location(BUCKET, "report.bin"), ATTACHMENT)
            .put(new S3Location(BUCKET, "raw-8bit.eml"), ("From: Zoë <news@" + DOMAIN + ">\r\nTo: ann@signed.test\r\n"
                    + "Subject: raw, 8-bit\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                    + "Content-Transfer-Encoding: 8bit\r\nBcc: hidden@signed.test\r\n\r\nGrüße, 日本語\r\n.leading dot\r\n")
                    .getBytes(StandardCharsets.UTF_8));
    private static DnsTestServer dns;
    private final List<SmtpTestServer> servers = new ArrayList<>();

    @BeforeAll
    static void startDns() {
        dns = DnsTestServer.start();
        dns.mx("signed.test", 10, "mx.signed.test").mx("other.test", 10, "mx.signed.test")
                .a("mx.signed.test", "127.0.0.2");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @AfterEach
    void stopMx() {
        servers.forEach(SmtpTestServer::close);
    }

    static Stream<Arguments> jobsAndVerifiers() {
        List<Arguments> cases = new ArrayList<>();
        for (DkimVerifier verifier : DkimVerifier.all()) {
            cases.add(Arguments.of("text and html, UTF-8 subject and names", textAndHtml(), verifier));
            cases.add(Arguments.of("a stored attachment", TestJobs.from("Reports <reports@" + DOMAIN + ">")
                    .to("ann@signed.test").subject("Your report").text("Attached.")
                    .attach(new Attachment("report.bin", "application/octet-stream", null, null, null,
                            new S3Location(BUCKET, "report.bin"))).build(), verifier));
            cases.add(Arguments.of("a raw 8-bit message with a Bcc line", TestJobs.from("news@" + DOMAIN)
                    .to("ann@signed.test").raw(BUCKET, "raw-8bit.eml").build(), verifier));
            cases.add(Arguments.of("From a subdomain, signed by the parent's keys",
                    TestJobs.from("alerts@eu.mail." + DOMAIN).to("ann@signed.test").text("Hi").build(), verifier));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {2}")
    @MethodSource("jobsAndVerifiers")
    void aMessageShouldArriveSignedByBothKeysAndVerifyAsReceived(String name, SendJob job, DkimVerifier verifier)
            throws IOException {
        verifier.requireInstalled();
        // Given: a server offering 8BITMIME and SIZE, the engine signing with an RSA and an Ed25519 key
        SmtpTestServer mx = mx(b -> b.maxMessageSize(10_000_000));

        // When
        RecipientResult result = send(mx, job);

        // Then: delivered, both keys named in the result...
        assertThat(result.outcome()).as("outcome: %s", result.outcome()).isInstanceOf(Outcome.Delivered.class);
        assertThat(result.signedBy()).containsExactly(TestKeys.rsa(DOMAIN).dnsName(),
                TestKeys.ed25519(DOMAIN).dnsName());
        // ...the signatures on top, both passing for the bytes the server stored
        byte[] received = Files.readAllBytes(mx.received().get(0).eml());
        assertThat(new String(received, StandardCharsets.ISO_8859_1)).startsWith("DKIM-Signature: v=1; a=rsa-sha256;");
        assertThat(verifier.verify(received, TestKeys.records(DOMAIN)))
                .as("%s on %s", verifier, name).hasSize(2).allMatch(DkimVerifier.Verdict::pass);
        // ...and the SIZE declared is what arrived (RFC 1870: the signature counts)
        assertThat(mx.commandLines("MAIL")).singleElement().asString().contains(" SIZE=" + received.length);
    }

    @Test
    void aComposedMessageShouldGoOutSevenBitAndUnconvertedToAServerOffering8BitMime() {
        // Given
        SmtpTestServer mx = mx(b -> b);

        // When
        send(mx, textAndHtml());

        // Then: quoted-printable as composed, no BODY=8BITMIME: Angus converted nothing after signing
        assertThat(mx.commandLines("MAIL")).singleElement().asString().doesNotContain("BODY=");
        String received = mx.received().get(0).content();
        assertThat(received.chars().allMatch(c -> c < 0x80)).as("7-bit as signed").isTrue();
        assertThat(received).contains("Content-Transfer-Encoding: quoted-printable");
    }

    @Test
    void aMessageWhoseFromDomainHasNoKeyShouldGoOutUnsignedAndSaySo() throws IOException {
        // Given: keys for mailroom.test only
        SmtpTestServer mx = mx(b -> b);
        SendJob job = TestJobs.from("billing@elsewhere.test").to("ann@signed.test").text("Hi").build();

        // When
        RecipientResult result = send(mx, job);

        // Then
        assertThat(result.outcome()).isInstanceOf(Outcome.Delivered.class);
        assertThat(result.signedBy()).isEmpty();
        assertThat(mx.received().get(0).header("DKIM-Signature")).isEmpty();
    }

    @Test
    void composeShouldSignOncePerAttemptAndEveryTransactionSendTheSameSignedBytes() throws IOException {
        // Given: recipients in two domains, so two transactions (to one server)
        SmtpTestServer mx = mx(b -> b);
        SendJob job = TestJobs.from("billing@" + DOMAIN).to("ann@signed.test", "bob@other.test")
                .subject("Twice").text("Same bytes").build();
        try (DeliveryEngine engine = TestEngines.signingEngine(TestEngines.mxSettings(mx.port()), dns, STORE,
                TestKeys.keyring(DOMAIN), Clock.systemUTC())) {
            Composition composition = engine.compose(TestJobs.parsed(job));

            // When
            TestEngines.deliver(engine, composition, TestJobs.envelopeOf(job), Deadline.in(Duration.ofMinutes(1),
                    Clock.systemUTC()));
        }

        // Then
        assertThat(mx.received()).hasSize(2);
        byte[] first = Files.readAllBytes(mx.received().get(0).eml());
        byte[] second = Files.readAllBytes(mx.received().get(1).eml());
        assertThat(Arrays.equals(first, second)).as("both transactions sent the bytes signed once").isTrue();
    }

    private static SendJob textAndHtml() {
        return TestJobs.from("Zoë Müller <billing@" + DOMAIN + ">").to("Ann Ängström <ann@signed.test>")
                .cc("carl@signed.test").replyTo("help@" + DOMAIN).subject("Größe — € ✓")
                .text("Grüße aus Köln\n".repeat(40)).html("<p>日本語のテキスト</p>").header("X-Campaign", "winter")
                .build();
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    private SmtpTestServer mx(UnaryOperator<SmtpTestServerBuilder> server) {
        SmtpTestServer started = server.apply(SmtpTestServer.builder()).bind("127.0.0.2").start();
        servers.add(started);
        return started;
    }

    private static RecipientResult send(SmtpTestServer mx, SendJob job) {
        try (DeliveryEngine engine = TestEngines.signingEngine(TestEngines.mxSettings(mx.port()), dns, STORE,
                TestKeys.keyring(DOMAIN), Clock.systemUTC())) {
            DeliveryReport report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));
            return report.resultFor("ann@signed.test");
        }
    }
}
