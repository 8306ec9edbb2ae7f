package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import dev.mailroom.testing.TestPki;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Type;

/**
 * Relay (smarthost) mode, end to end: every message goes to one authenticated SMTP server, as with
 * the Amazon SES SMTP endpoint, over implicit TLS (port-465 style) or STARTTLS (port 587). The relay
 * is "localhost" with a certificate for that name from a test CA the engine is told to trust.
 */
@Timeout(20)
class RelayDeliveryTest {

    private static final String RELAY_HOST = "localhost";
    private static final String USER = "mailroom-sender";
    private static final String PASSWORD = "s3cret-relay-pa55word";
    private static final String SENDER = "sender@origin.test";

    private static DnsTestServer dns;
    private static TestPki pki;

    @BeforeAll
    static void startDnsAndPki() {
        // No records at all: relay mode must never need them.
        dns = DnsTestServer.start();
        pki = TestPki.create();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void deliverShouldAuthenticateAndDeliverWhenRelaySpeaksImplicitTls() {
        // Given: a 465-style relay that insists on AUTH
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(RELAY_HOST)
                .implicitTls(pki.serverContext(RELAY_HOST)).requireAuth(USER, PASSWORD).start()) {
            SmtpSettings settings = settings(new Relay(RELAY_HOST, relay.port(), true, USER, PASSWORD));

            // When
            Outcome outcome = deliverOne(settings, "alice@example.test");

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            assertThat(outcome.mxHost()).isEqualTo(RELAY_HOST);
            List<ReceivedMessage> received = relay.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).authenticatedUser()).isEqualTo(USER);
            assertThat(received.get(0).overTls()).isTrue();
        }
    }

    @Test
    void deliverShouldAuthenticateAfterStartTlsWhenRelayIsSubmissionStyle() {
        // Given: a 587-style relay: plaintext greeting, STARTTLS, then AUTH
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(RELAY_HOST)
                .startTls(pki.serverContext(RELAY_HOST)).requireAuth(USER, PASSWORD).start()) {
            SmtpSettings settings = settings(new Relay(RELAY_HOST, relay.port(), false, USER, PASSWORD));

            // When
            Outcome outcome = deliverOne(settings, "alice@example.test");

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            List<ReceivedMessage> received = relay.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).authenticatedUser()).isEqualTo(USER);
            assertThat(received.get(0).overTls()).isTrue();
        }
    }

    @Test
    void deliverShouldSendAllDomainsInOneTransactionWithoutMxLookupsWhenRelaying() {
        // Given: recipients in three different domains, none of which exists in DNS
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(RELAY_HOST)
                .implicitTls(pki.serverContext(RELAY_HOST)).requireAuth(USER, PASSWORD).start()) {
            SmtpSettings settings = settings(new Relay(RELAY_HOST, relay.port(), true, USER, PASSWORD));
            SendJob job = TestJobs.from(SENDER).to("alice@one.test", "bob@two.test").cc("carol@three.test")
                    .text("one copy for everyone").build();

            // When
            DeliveryReport report;
            try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
                report = TestEngines.send(engine, job, TestJobs.envelopeOf(job));
            }

            // Then: the relay routes; we hand it everything at once
            assertThat(report.results()).extracting(RecipientResult::outcome)
                    .allSatisfy(outcome -> assertThat(outcome).isInstanceOf(Outcome.Delivered.class));
            List<ReceivedMessage> received = relay.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).recipients())
                    .containsExactlyInAnyOrder("alice@one.test", "bob@two.test", "carol@three.test");
            assertThat(relay.sessionsAccepted()).isEqualTo(1);
            for (String domain : List.of("one.test", "two.test", "three.test")) {
                assertThat(dns.queries(domain, Type.MX)).as("MX queries for %s", domain).isZero();
                assertThat(dns.queries(domain, Type.A)).as("A queries for %s", domain).isZero();
            }
        }
    }

    @Test
    void deliverShouldDeferWithTheServersOwnReplyAndSayQuitWhenRelayRejectsTheCredentials() {
        // Given: a relay that refuses the login as RFC 4954 §6 has it: 535 5.7.8
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(RELAY_HOST)
                .implicitTls(pki.serverContext(RELAY_HOST)).requireAuth(USER, PASSWORD).start()) {
            SmtpSettings settings = settings(new Relay(RELAY_HOST, relay.port(), true, USER, "not-the-password"));

            // When
            Outcome outcome = deliverOne(settings, "alice@example.test");

            // Then: deferred (a configuration problem, not the recipient's), and the ledger gets the
            // server's codes and text, not Mailroom's
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis()).isEqualTo(new Diagnosis(535, "5.7.8", "Authentication credentials invalid"));
            assertThat(outcome.mxHost()).isEqualTo(RELAY_HOST);
            // ...and the connection ends as RFC 5321 §4.1.1.10 says, with QUIT
            assertThat(relay.commandLines()).extracting(line -> line.split(" ")[0])
                    .containsExactly("EHLO", "AUTH", "QUIT");
        }
    }

    @Test
    void deliverShouldDeferWithoutRevealingThePasswordWhenRelayRejectsTheCredentials() {
        // Given: the relay knows the user under a different password
        String wrongPassword = "wr0ng-pa55word-do-not-log";
        try (SmtpTestServer relay = SmtpTestServer.builder().hostName(RELAY_HOST)
                .implicitTls(pki.serverContext(RELAY_HOST)).requireAuth(USER, PASSWORD).start()) {
            Relay misconfigured = new Relay(RELAY_HOST, relay.port(), true, USER, wrongPassword);
            SmtpSettings settings = settings(misconfigured);

            // When
            Outcome outcome = deliverOne(settings, "alice@example.test");

            // Then: a configuration problem, not the recipient's: defer while it is fixed
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().replyCode()).isEqualTo(535);
            assertThat(relay.received()).isEmpty();
            // ...and the secret shows up in nothing that may reach a log or the ledger
            assertThat(outcome.diagnosis().text()).doesNotContain(wrongPassword);
            assertThat(outcome.toString()).doesNotContain(wrongPassword);
            assertThat(misconfigured.toString()).doesNotContain(wrongPassword).contains(USER);
            assertThat(settings.toString()).doesNotContain(wrongPassword);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsPolicy.class, names = {"NONE", "OPPORTUNISTIC"})
    void settingsShouldRefuseRelayCredentialsWhenTheyCouldCrossInTheClear(TlsPolicy weakPolicy) {
        // Given: a 587-style relay with credentials (no implicit TLS)
        Relay submission = new Relay("smtp.example.test", 587, false, USER, PASSWORD);
        SmtpSettings verified = SmtpSettings.relay("mailroom.test", submission);

        // When / Then: a policy that may fall back to plaintext is refused when the settings are built
        assertThatThrownBy(() -> verified.withTls(weakPolicy, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLS")
                .hasMessageNotContaining(PASSWORD);
    }

    /** Relay settings for a test: short timeouts, TLS verified against the test CA. */
    private static SmtpSettings settings(Relay relay) {
        return SmtpSettings.relay("mailroom.test", relay)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withTls(TlsPolicy.VERIFY, pki.trustStore());
    }

    private static Outcome deliverOne(SmtpSettings settings, String recipient) {
        SendJob job = TestJobs.from(SENDER).to(recipient).text("via the relay").build();
        try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor(recipient).outcome();
        }
    }
}
