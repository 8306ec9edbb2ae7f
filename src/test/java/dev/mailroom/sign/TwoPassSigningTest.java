package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.ED25519;
import static dev.mailroom.sign.TestSigning.RECORDS;
import static dev.mailroom.sign.TestSigning.RSA;
import static dev.mailroom.sign.TestSigning.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.sign.SigningCases.Case;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.SmtpTestServer;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the two-pass design rests on: every write of a composed message gives the same bytes, the
 * stored attachment streamed afresh each time; so the fields signed in pass one hold for the bytes
 * pass two sends, here through Angus's SMTP transport to a real SMTP server, as delivery would.
 */
class TwoPassSigningTest {

    private static final SigningCases CASES = new SigningCases();
    private static SmtpTestServer smtp;

    @BeforeAll
    static void startSmtp() {
        smtp = SmtpTestServer.builder().start();
    }

    @AfterAll
    static void stopSmtp() {
        smtp.close();
    }

    static Stream<Arguments> casesAndVerifiers() {
        return CASES.all().stream().flatMap(c -> DkimVerifier.all().stream().map(v -> Arguments.of(c, v)));
    }

    @Test
    void twoWritesOfAComposedMessageWithAStoredAttachmentShouldBeByteIdentical() throws Exception {
        ComposedMessage message = CASES.textHtmlAndAttachments().message();
        int opensBefore = CASES.store().opens();

        byte[] first = written(message);
        byte[] second = written(message);

        assertThat(second).isEqualTo(first);
        assertThat(CASES.store().opens() - opensBefore).as("one streamed read of the attachment per write").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} — {1}")
    @MethodSource("casesAndVerifiers")
    void aMessageSignedInPassOneShouldVerifyAsReceivedAfterPassTwoOverSmtp(Case message, DkimVerifier verifier)
            throws Exception {
        verifier.requireInstalled();
        byte[] signatures = TestSigning.signer(RSA, ED25519).sign(message.message(), SESSION);
        int before = smtp.received().size();

        send(message.message(), signatures);

        SmtpTestServer.ReceivedMessage received = smtp.awaitReceived(before + 1, Duration.ofSeconds(10)).get(before);
        List<DkimVerifier.Verdict> verdicts = verifier.verify(Files.readAllBytes(received.eml()), RECORDS);
        assertThat(verdicts).hasSize(2).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isTrue());
    }

    private static byte[] written(ComposedMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeAsSent(SESSION, out);
        return out.toByteArray();
    }

    /** Pass two: a fresh instance behind the fields, through Angus's SMTP transport. */
    private static void send(ComposedMessage message, byte[] signatures) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", smtp.host());
        properties.put("mail.smtp.port", String.valueOf(smtp.port()));
        Session session = Session.getInstance(properties);
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            Signed signed = new Signed(session, message.newInstance(session), signatures);
            signed.setEnvelopeFrom("ann@example.com");
            transport.sendMessage(signed, new InternetAddress[] {new InternetAddress("bob@example.org")});
        }
    }

    /** A message written behind DKIM-Signature fields, as delivery would send one. */
    private static final class Signed extends SMTPMessage {
        private final SMTPMessage message;
        private final byte[] signatures;

        Signed(Session session, SMTPMessage message, byte[] signatures) {
            super(session);
            this.message = message;
            this.signatures = signatures.clone();
        }

        @Override
        public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
            out.write(signatures);
            message.writeTo(out, ignoreList);
        }
    }
}
