package dev.mailroom.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Collections;
import java.time.Duration;
import java.util.Properties;

import javax.net.ssl.SSLHandshakeException;

import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** Proves the SMTP fixture works, driven by a plain Angus SMTP client. */
@Timeout(20)
class SmtpTestServerTest {

    private static TestPki pki;

    @BeforeAll
    static void pki() {
        pki = TestPki.create();
    }

    static Properties props(SmtpTestServer s) {
        Properties p = new Properties();
        p.put("mail.smtp.host", s.host());
        p.put("mail.smtp.port", String.valueOf(s.port()));
        p.put("mail.smtp.connectiontimeout", "2000");
        p.put("mail.smtp.timeout", "2000");
        p.put("mail.smtp.localhost", "client.mailroom.test");
        return p;
    }

    static MimeMessage message(Session session, String... to) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@origin.test"));
        for (String t : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        m.setSubject("fixture check");
        m.setText("hello\r\n.leading dot line\r\nbye\r\n", "UTF-8");
        return m;
    }

    @Test
    void plainDelivery() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder().start()) {
            Session session = Session.getInstance(props(smtp));
            Transport.send(message(session, "alice@example.test", "carol@example.test"));

            assertThat(smtp.sessionsAccepted()).isEqualTo(1);
            assertThat(smtp.received()).singleElement().satisfies(r -> {
                assertThat(r.envelopeFrom()).isEqualTo("sender@origin.test");
                assertThat(r.recipients()).containsExactly("alice@example.test", "carol@example.test");
                assertThat(r.overTls()).isFalse();
                assertThat(r.authenticatedUser()).isNull();
                assertThat(r.size()).isEqualTo(Files.size(r.eml()));
                MimeMessage parsed = r.parse();
                assertThat(parsed.getSubject()).isEqualTo("fixture check");
                assertThat(((String) parsed.getContent())).contains(".leading dot line");
            });
        }
    }

    @Test
    void sharesOnePortAcrossLoopbackAddresses() throws Exception {
        try (SmtpTestServer first = SmtpTestServer.builder().start();
                SmtpTestServer second = SmtpTestServer.builder().bind("127.0.0.2").port(first.port()).start()) {
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.host()).isEqualTo("127.0.0.2");
            Transport.send(message(Session.getInstance(props(second)), "alice@example.test"));
            assertThat(second.received()).hasSize(1);
            assertThat(first.received()).isEmpty();
        }
    }

    @Test
    void rejectedRecipientWithSendPartial() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder()
                .rejectRecipient("bob@example.test", 550, "5.1.1 no such user")
                .start()) {
            Properties p = props(smtp);
            p.put("mail.smtp.sendpartial", "true");
            Session session = Session.getInstance(p);

            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test", "bob@example.test")))
                    .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> {
                        assertThat(e.getInvalidAddresses()).extracting(Object::toString)
                                .containsExactly("bob@example.test");
                        assertThat(e.getValidSentAddresses()).extracting(Object::toString)
                                .containsExactly("alice@example.test");
                    });
            assertThat(smtp.received()).singleElement()
                    .satisfies(r -> assertThat(r.recipients()).containsExactly("alice@example.test"));
        }
    }

    @Test
    void rejectedSessionGreeting() {
        try (SmtpTestServer smtp = SmtpTestServer.builder().rejectSessions(421, "4.3.2 try later").start()) {
            Session session = Session.getInstance(props(smtp));
            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .isInstanceOf(MessagingException.class)
                    .hasMessageContaining("421 4.3.2 try later");
            assertThat(smtp.sessionsAccepted()).isEqualTo(1);
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void rejectDataThenAcceptOnRetry() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder().rejectData(451, "4.3.0 temporary").failFirst(1).start()) {
            Session session = Session.getInstance(props(smtp));
            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .isInstanceOfSatisfying(SMTPSendFailedException.class,
                            e -> assertThat(e.getReturnCode()).isEqualTo(451));
            Transport.send(message(session, "alice@example.test"));
            assertThat(smtp.received()).hasSize(1);
            assertThat(smtp.dataAttempts()).isEqualTo(2);
        }
    }

    @Test
    void oversizedMessageGets552() {
        try (SmtpTestServer smtp = SmtpTestServer.builder().maxMessageSize(2000).start()) {
            Session session = Session.getInstance(props(smtp));
            assertThatThrownBy(() -> {
                MimeMessage m = message(session, "alice@example.test");
                m.setText("x".repeat(5000));
                Transport.send(m);
            }).isInstanceOfSatisfying(SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(552));
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void startTlsWithCaSignedCertificate() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder()
                .startTls(pki.serverContext("mx.example.test", "127.0.0.1"))
                .requireStartTls()
                .start()) {
            Properties p = props(smtp);
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.checkserveridentity", "true");
            p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
            Transport.send(message(Session.getInstance(p), "alice@example.test"));

            assertThat(smtp.received()).singleElement().satisfies(r -> assertThat(r.overTls()).isTrue());
        }
    }

    @Test
    void startTlsWithSelfSignedCertificateFailsVerification() {
        try (SmtpTestServer smtp = SmtpTestServer.builder()
                .startTls(pki.selfSignedServerContext("127.0.0.1"))
                .start()) {
            Properties p = props(smtp);
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
            assertThatThrownBy(() -> Transport.send(message(Session.getInstance(p), "alice@example.test")))
                    .isInstanceOf(MessagingException.class)
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class)
                    .satisfies(e -> assertThat(e).hasCauseInstanceOf(SSLHandshakeException.class));
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void implicitTlsWithAuth() throws Exception {
        try (SmtpTestServer smtp = SmtpTestServer.builder()
                .implicitTls(pki.serverContext("127.0.0.1"))
                .requireAuth("user", "secret")
                .start()) {
            Properties p = props(smtp);
            p.put("mail.smtp.ssl.enable", "true");
            p.put("mail.smtp.ssl.checkserveridentity", "true");
            p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
            p.put("mail.smtp.auth", "true");
            Session session = Session.getInstance(p);

            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test"), "user", "wrong"))
                    .isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("535");
            Transport.send(message(session, "alice@example.test"), "user", "secret");

            assertThat(smtp.received()).singleElement().satisfies(r -> {
                assertThat(r.overTls()).isTrue();
                assertThat(r.authenticatedUser()).isEqualTo("user");
            });
        }
    }

    @Test
    void dropDuringDataGivesTheClientAnIoError() {
        try (SmtpTestServer smtp = SmtpTestServer.builder().dropDuringData().start()) {
            Session session = Session.getInstance(props(smtp));
            assertThatThrownBy(() -> {
                MimeMessage m = message(session, "alice@example.test");
                m.setText("y".repeat(64 * 1024));
                Transport.send(m);
            }).isInstanceOf(MessagingException.class)
                    .isNotInstanceOf(SMTPSendFailedException.class)
                    .hasCauseInstanceOf(IOException.class);
            assertThat(smtp.received()).isEmpty();
            assertThat(smtp.dataAttempts()).isEqualTo(1);
        }
    }

    @Test
    void dropDuringDataOverTlsGivesTheClientAnIoErrorToo() {
        try (SmtpTestServer smtp = SmtpTestServer.builder()
                .implicitTls(pki.serverContext("127.0.0.1"))
                .dropDuringData()
                .start()) {
            Properties p = props(smtp);
            p.put("mail.smtp.ssl.enable", "true");
            p.put("mail.smtp.ssl.socketFactory", pki.clientContext().getSocketFactory());
            Session session = Session.getInstance(p);
            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .isInstanceOf(MessagingException.class)
                    .isNotInstanceOf(SMTPSendFailedException.class)
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void stallOnDataMakesTheClientTimeOutAndDoesNotBlockClose() {
        SmtpTestServer smtp = SmtpTestServer.builder().stallOnData(Duration.ofSeconds(30)).start();
        try {
            Properties p = props(smtp);
            p.put("mail.smtp.timeout", "300");
            Session session = Session.getInstance(p);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Transport.send(message(session, "alice@example.test")))
                    .isInstanceOf(MessagingException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        } finally {
            long t0 = System.nanoTime();
            smtp.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void stallOnGreetingMakesTheClientTimeOut() {
        SmtpTestServer smtp = SmtpTestServer.builder().stallOnGreeting(Duration.ofSeconds(30)).start();
        try {
            Properties p = props(smtp);
            p.put("mail.smtp.timeout", "300");
            assertThatThrownBy(() -> Transport.send(message(Session.getInstance(p), "alice@example.test")))
                    .isInstanceOf(MessagingException.class)
                    .hasRootCauseInstanceOf(SocketTimeoutException.class);
            assertThat(smtp.sessionsAccepted()).isEqualTo(1);
        } finally {
            long t0 = System.nanoTime();
            smtp.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void testPkiTrustStoreFileRoundTrips(@TempDir Path dir) throws Exception {
        char[] password = "pw".toCharArray();
        Path file = pki.writeTrustStore(dir, password);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        assertThat(Collections.list(ks.aliases())).singleElement()
                .satisfies(alias -> assertThat(ks.getCertificate(alias)).isEqualTo(pki.caCertificate()));
        assertThat(pki.serverContext("a.test", "127.0.0.1")).isSameAs(pki.serverContext("a.test", "127.0.0.1"));
    }

    @Test
    void closeDeletesStoredMessages() throws Exception {
        SmtpTestServer smtp = SmtpTestServer.builder().start();
        Transport.send(message(Session.getInstance(props(smtp)), "alice@example.test"));
        var eml = smtp.received().get(0).eml();
        assertThat(eml).exists();
        smtp.close();
        assertThat(eml).doesNotExist();
        assertThat(eml.getParent()).doesNotExist();
    }
}
