package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.config.ConfigException;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.Relay;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.deliver.TlsPolicy;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.RecordingSmtpServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import dev.mailroom.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Relay mode never hands its credentials to a server it has not authenticated: TLS certificates
 * are verified (a self-signed or misnamed relay defers the mail and gets nothing), AUTH never
 * crosses plaintext (the configuration refuses it; a relay that does not offer STARTTLS defers),
 * and the password never appears on the wire outside a verified TLS session.
 *
 * <p>"Nothing sent" is proven twice: {@link SmtpTestServer} received no message (so nobody
 * authenticated), and {@link RecordingSmtpServer}, a wiretap that records every byte it can read,
 * saw no AUTH command and neither the password nor its base64 forms.
 */
@Timeout(60)
class RelayTlsTest {

    private static final String HOST = "localhost";
    private static final String USER = "mailroom-relay-user";
    private static final String PASSWORD = "Relay-Pa55word-that-must-not-travel";

    private static DnsTestServer dns;
    private static TestPki pki;

    @BeforeAll
    static void start() {
        dns = DnsTestServer.start();
        pki = TestPki.create();
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @ParameterizedTest(name = "implicit TLS: {0}")
    @EnumSource(value = Certificate.class)
    void aRelayWhoseCertificateDoesNotVerifyShouldDeferAndReceiveNothing(Certificate certificate) {
        // Given: a 465-style relay that insists on AUTH, with a certificate the engine must not trust
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(HOST).implicitTls(certificate.context())
                .requireAuth(USER, PASSWORD).start()) {

            // When
            Outcome outcome = deliver(new Relay(HOST, relay.port(), true, USER, PASSWORD), TlsPolicy.VERIFY);

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.5");
            assertThat(relay.received()).isEmpty();
        }
    }

    @ParameterizedTest(name = "STARTTLS: {0}")
    @EnumSource(value = Certificate.class)
    void aSubmissionRelayWhoseCertificateDoesNotVerifyShouldDeferAndReceiveNothing(Certificate certificate) {
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(HOST).startTls(certificate.context())
                .requireAuth(USER, PASSWORD).start()) {

            Outcome outcome = deliver(new Relay(HOST, relay.port(), false, USER, PASSWORD), TlsPolicy.VERIFY);

            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.5");
            assertThat(relay.received()).isEmpty();
        }
    }

    @ParameterizedTest(name = "wiretap, implicit TLS: {0}")
    @EnumSource(value = Certificate.class)
    void thePasswordShouldNeverReachARelayWhoseCertificateDoesNotVerify(Certificate certificate)
            throws InterruptedException {
        try (RecordingSmtpServer wiretap = RecordingSmtpServer.implicitTls(certificate.context())) {

            Outcome outcome = deliver(new Relay(HOST, wiretap.port(), true, USER, PASSWORD), TlsPolicy.VERIFY);

            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(wiretap.awaitHandshakeFailures(Duration.ofSeconds(10))).isNotEmpty();
            assertNoCredentials(wiretap);
            assertThat(wiretap.transcript()).as("nothing readable got through").isEmpty();
        }
    }

    @ParameterizedTest(name = "wiretap, STARTTLS: {0}")
    @EnumSource(value = Certificate.class)
    void thePasswordShouldNeverReachASubmissionRelayWhoseCertificateDoesNotVerify(Certificate certificate) {
        try (RecordingSmtpServer wiretap = RecordingSmtpServer.startTls(certificate.context())) {

            Outcome outcome = deliver(new Relay(HOST, wiretap.port(), false, USER, PASSWORD), TlsPolicy.VERIFY);

            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.5");
            assertNoCredentials(wiretap);
            assertThat(wiretap.commands()).containsExactly("EHLO", "STARTTLS");
        }
    }

    @ParameterizedTest(name = "policy {0}")
    @EnumSource(value = TlsPolicy.class, names = {"REQUIRED_INSECURE", "VERIFY"})
    void aRelayThatDoesNotOfferStartTlsShouldDeferWithoutAnAuthAttempt(TlsPolicy policy) {
        // Given: a plaintext relay offering AUTH PLAIN LOGIN but no STARTTLS
        try (RecordingSmtpServer wiretap = RecordingSmtpServer.plaintext()) {
            Relay relay = new Relay(HOST, wiretap.port(), false, USER, PASSWORD);
            if (refusedBySettings(relay, policy)) {
                return;
            }

            // When
            Outcome outcome = deliver(relay, policy);

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.10");
            assertThat(wiretap.commands()).doesNotContain("AUTH", "MAIL", "RCPT", "DATA");
            assertNoCredentials(wiretap);
        }
    }

    @ParameterizedTest(name = "policy {0}")
    @EnumSource(value = TlsPolicy.class, names = {"REQUIRED_INSECURE", "VERIFY"})
    void aRelayThatDoesNotOfferStartTlsShouldReceiveNothingFromAnAuthenticatingClient(TlsPolicy policy) {
        try (SmtpTestServer server = SmtpTestServer.builder().hostName(HOST).requireAuth(USER, PASSWORD).start()) {
            Relay relay = new Relay(HOST, server.port(), false, USER, PASSWORD);
            if (refusedBySettings(relay, policy)) {
                return;
            }

            Outcome outcome = deliver(relay, policy);

            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void aRelayThatDoesNotOfferStartTlsShouldBeToldQuitBeforeTheConnectionCloses() {
        // Given: a submission relay wanting AUTH, offering no STARTTLS
        try (SmtpTestServer server = SmtpTestServer.builder().hostName(HOST).requireAuth(USER, PASSWORD).start()) {

            // When
            Outcome outcome = deliver(new Relay(HOST, server.port(), false, USER, PASSWORD), TlsPolicy.VERIFY);

            // Then: deferred for want of TLS, nothing else said, and the session ended with QUIT
            // (RFC 5321 §4.1.1.10), not a dropped connection
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.10");
            assertThat(server.commandLines()).extracting(line -> line.split(" ")[0]).containsExactly("EHLO", "QUIT");
        }
    }

    @ParameterizedTest(name = "MAILROOM_TLS={0}")
    @EnumSource(value = TlsPolicy.class, names = {"NONE", "OPPORTUNISTIC"})
    void configurationShouldRefuseRelayCredentialsThatCouldCrossInTheClear(TlsPolicy policy) {
        Map<String, String> env = relayEnvironment("587", policy);

        assertThatThrownBy(() -> MailroomConfig.from(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILROOM_TLS")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void configurationShouldNeverPrintTheRelayPassword() {
        MailroomConfig config = MailroomConfig.from(relayEnvironment("465", TlsPolicy.VERIFY));

        assertThat(config.toString()).doesNotContain(PASSWORD).contains(USER);
        assertThat(config.smtp().toString()).doesNotContain(PASSWORD);
        assertThat(config.smtp().relay().toString()).doesNotContain(PASSWORD);
    }

    /**
     * TLS that does not verify the peer (REQUIRED_INSECURE: "certificate not checked"; OPPORTUNISTIC
     * and NONE on an implicit-TLS port) is no protection against whoever answers in the relay's
     * place: credentials must go only where the certificate was verified. Either the settings refuse
     * the combination, or no AUTH reaches the impostor.
     */
    static Stream<Arguments> unverifiedTlsWithCredentials() {
        return Stream.of(Arguments.of(true, TlsPolicy.NONE), Arguments.of(true, TlsPolicy.OPPORTUNISTIC),
                Arguments.of(true, TlsPolicy.REQUIRED_INSECURE), Arguments.of(false, TlsPolicy.REQUIRED_INSECURE));
    }

    @ParameterizedTest(name = "implicit TLS {0}, policy {1}")
    @MethodSource("unverifiedTlsWithCredentials")
    void credentialsShouldNeverGoToARelayWhoseCertificateWasNotVerified(boolean implicitTls, TlsPolicy policy) {
        // Given: an impostor with a self-signed certificate where the relay should be
        try (RecordingSmtpServer impostor = implicitTls
                ? RecordingSmtpServer.implicitTls(pki.selfSignedServerContext(HOST))
                : RecordingSmtpServer.startTls(pki.selfSignedServerContext(HOST))) {
            Relay relay = new Relay(HOST, impostor.port(), implicitTls, USER, PASSWORD);
            if (refusedBySettings(relay, policy)) {
                return;
            }

            // When
            deliver(relay, policy);

            // Then: the other right answer: the impostor learns nothing
            assertThat(impostor.commands()).as("commands the impostor received").doesNotContain("AUTH");
            assertNoCredentials(impostor);
        }
    }

    @Test
    void configurationShouldRefuseRelayCredentialsOverTlsThatIsNotVerified() {
        // MAILROOM_TLS=required is documented as "certificate not checked": not for a password.
        Map<String, String> env = relayEnvironment("587", TlsPolicy.REQUIRED_INSECURE);

        assertThatThrownBy(() -> MailroomConfig.from(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining(PASSWORD);
    }

    // ------------------------------------------------------------------------------------------

    /** Certificates a relay may present that must not be trusted with the password. */
    enum Certificate {
        SELF_SIGNED, ISSUED_FOR_ANOTHER_NAME, ISSUED_BY_AN_UNKNOWN_CA;

        javax.net.ssl.SSLContext context() {
            return switch (this) {
                case SELF_SIGNED -> pki.selfSignedServerContext(HOST);
                case ISSUED_FOR_ANOTHER_NAME -> pki.serverContext("relay.elsewhere.test");
                case ISSUED_BY_AN_UNKNOWN_CA -> TestPki.create().serverContext(HOST);
            };
        }
    }

    /**
     * Refusing relay credentials with a TLS policy that does not verify the peer, when the
     * settings are built, is a right answer (and the refusal must not quote the password).
     */
    private static boolean refusedBySettings(Relay relay, TlsPolicy policy) {
        try {
            settings(relay, policy);
            return false;
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageNotContaining(PASSWORD);
            assertThat(policy).as("VERIFY must always be allowed").isNotEqualTo(TlsPolicy.VERIFY);
            return true;
        }
    }

    private static void assertNoCredentials(RecordingSmtpServer server) {
        String wire = server.transcript();
        assertThat(server.commands()).doesNotContain("AUTH");
        assertThat(wire).doesNotContain(PASSWORD)
                .doesNotContain(base64(PASSWORD))
                .doesNotContain(base64("\0" + USER + "\0" + PASSWORD))
                .doesNotContain(base64(USER + "\0" + USER + "\0" + PASSWORD));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SmtpSettings settings(Relay relay, TlsPolicy policy) {
        return SmtpSettings.relay("mailroom.test", relay)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withTls(policy, pki.trustStore());
    }

    private static Outcome deliver(Relay relay, TlsPolicy policy) {
        return deliver(settings(relay, policy));
    }

    private static Outcome deliver(SmtpSettings settings) {
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@example.org").text("via the relay").build();
        try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("ann@example.org").outcome();
        }
    }

    private static Map<String, String> relayEnvironment(String port, TlsPolicy policy) {
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_QUEUE_URL", "http://127.0.0.1:1/queue/send");
        env.put("MAILROOM_DLQ_URL", "http://127.0.0.1:1/queue/send-dlq");
        env.put("MAILROOM_TABLE", "ledger");
        env.put("MAILROOM_ATTACHMENT_BUCKETS", "mailroom-attachments");
        env.put("MAILROOM_ARCHIVE_BUCKET", "mailroom-archive");
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", "mailroom.test");
        env.put("MAILROOM_HELO_NAME", "mailroom.test");
        env.put("MAILROOM_DELIVERY_MODE", "relay");
        env.put("MAILROOM_DKIM_MISSING_KEY", "unsigned");  // the relay signs
        env.put("MAILROOM_RELAY_HOST", "smtp.relay.test");
        env.put("MAILROOM_RELAY_PORT", port);
        env.put("MAILROOM_RELAY_USERNAME", USER);
        env.put("MAILROOM_RELAY_PASSWORD", PASSWORD);
        env.put("MAILROOM_TLS", policy.setting());
        return env;
    }
}
