package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mailroom.job.SendJob;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import dev.mailroom.testing.TestPki;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MX-mode delivery under each {@link TlsPolicy}, end to end: the engine resolves {@value #DOMAIN}
 * through a real DNS server to {@value #MX_HOST} ({@value #MX_ADDRESS}) and talks to a real SMTP
 * server bound there, which offers (or does not offer) STARTTLS with a test certificate.
 */
@Timeout(20)
class TlsDeliveryTest {

    private static final String DOMAIN = "tls.test";
    private static final String MX_HOST = "mx.tls.test";
    private static final String MX_ADDRESS = "127.0.0.2";
    private static final String RECIPIENT = "alice@" + DOMAIN;
    private static final String FAILOVER_DOMAIN = "failover.tls.test";

    private static DnsTestServer dns;
    private static TestPki pki;

    @BeforeAll
    static void startDnsAndPki() {
        dns = DnsTestServer.start();
        dns.mx(DOMAIN, 10, MX_HOST).a(MX_HOST, MX_ADDRESS);
        pki = TestPki.create();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void deliverShouldUseStartTlsWithoutCheckingTheCertificateWhenPolicyIsOpportunistic() {
        // Given: the MX offers STARTTLS with a certificate nobody vouches for
        try (SmtpTestServer smtp = mx().startTls(pki.selfSignedServerContext(MX_HOST)).start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.OPPORTUNISTIC, null);

            // Then: RFC 7435 — encrypt anyway rather than fall back to plaintext
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            assertThat(outcome.mxHost()).isEqualTo(MX_HOST);
            List<ReceivedMessage> received = smtp.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).overTls()).isTrue();
            assertThat(received.get(0).recipients()).containsExactly(RECIPIENT);
        }
    }

    @Test
    void deliverShouldDeferWithCryptographicFailureWhenPolicyIsVerifyAndCertificateIsSelfSigned() {
        // Given: a certificate for the right name, but not issued by a trusted CA
        try (SmtpTestServer smtp = mx().startTls(pki.selfSignedServerContext(MX_HOST)).start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.VERIFY, pki.trustStore());

            // Then: RFC 3463 X.7.5 "cryptographic failure", and the message never left
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).as("diagnosis: %s", outcome.diagnosis()).isEqualTo("4.7.5");
            assertThat(outcome.mxHost()).isEqualTo(MX_HOST);
            assertThat(smtp.sessionsAccepted()).as("the MX was reached").isPositive();
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void deliverShouldUseVerifiedTlsWhenCertificateIsIssuedToTheMxHostByATrustedCa() {
        // Given: the certificate names the MX host (not the address we dial)
        try (SmtpTestServer smtp = mx().startTls(pki.serverContext(MX_HOST)).start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.VERIFY, pki.trustStore());

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            List<ReceivedMessage> received = smtp.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).overTls()).isTrue();
        }
    }

    @Test
    void deliverShouldDeferWithCryptographicFailureWhenPolicyIsVerifyAndCertificateNamesAnotherHost() {
        // Given: a trusted CA, but the certificate was issued to someone else
        try (SmtpTestServer smtp = mx().startTls(pki.serverContext("mx.elsewhere.test")).start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.VERIFY, pki.trustStore());

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).as("diagnosis: %s", outcome.diagnosis()).isEqualTo("4.7.5");
            assertThat(smtp.sessionsAccepted()).as("the MX was reached").isPositive();
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void deliverShouldReportTheHostThatGotFurthestWhenEveryMxFailsUnderVerify() {
        // Given: the first MX refuses connections (nothing listens at 127.0.0.2), the second is
        // reached and presents a certificate no trusted CA issued
        dns.mx(FAILOVER_DOMAIN, 10, "mx1." + FAILOVER_DOMAIN).a("mx1." + FAILOVER_DOMAIN, "127.0.0.2")
                .mx(FAILOVER_DOMAIN, 20, "mx2." + FAILOVER_DOMAIN).a("mx2." + FAILOVER_DOMAIN, "127.0.0.3");
        try (SmtpTestServer second = SmtpTestServer.builder().bind("127.0.0.3").hostName("mx2." + FAILOVER_DOMAIN)
                .startTls(pki.selfSignedServerContext("mx2." + FAILOVER_DOMAIN)).start()) {
            SmtpSettings settings = TestEngines.mxSettings(second.port()).withTls(TlsPolicy.VERIFY, pki.trustStore());
            SendJob job = TestJobs.from("sender@origin.test").to("bo@" + FAILOVER_DOMAIN).text("over the wire").build();

            // When
            RecipientResult result;
            try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
                result = TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("bo@" + FAILOVER_DOMAIN);
            }

            // Then: the cause is the certificate at mx2 (it got furthest), not the refusal at mx1
            assertThat(result.outcome()).isInstanceOf(Outcome.Transient.class);
            assertThat(result.outcome().diagnosis().enhancedCode()).as("diagnosis: %s", result.outcome().diagnosis())
                    .isEqualTo("4.7.5");
            assertThat(result.outcome().mxHost()).isEqualTo("mx2." + FAILOVER_DOMAIN);
            assertThat(second.received()).isEmpty();
            // ...and the log line keeps every host's part, in the order tried
            assertThat(result.trail()).extracting(HostFailure::host, f -> f.failure().diagnosis().enhancedCode())
                    .containsExactly(tuple("mx1." + FAILOVER_DOMAIN, "4.4.1"), tuple("mx2." + FAILOVER_DOMAIN, "4.7.5"));
            List<String> lines = new ArrayList<>();
            new JobLog(new JsonLines(lines::add), Clock.systemUTC()).recipient("job-1", result);
            assertThat(lines).singleElement().asString()
                    .contains("\"enhancedCode\":\"4.7.5\"")
                    .contains("\"trail\":[\"mx1." + FAILOVER_DOMAIN + " [127.0.0.2] 4.4.1 ")
                    .contains("\"mx2." + FAILOVER_DOMAIN + " [127.0.0.3] 4.7.5 TLS failed");
        }
    }

    @Test
    void deliverShouldDeferWhenPolicyIsRequiredAndServerDoesNotOfferStartTls() {
        // Given: a plaintext-only MX
        try (SmtpTestServer smtp = mx().start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.REQUIRED_INSECURE, null);

            // Then: RFC 3463 X.7.10 "encryption needed"; nothing sent in the clear
            assertThat(outcome).isInstanceOf(Outcome.Transient.class);
            assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.7.10");
            assertThat(outcome.mxHost()).isEqualTo(MX_HOST);
            assertThat(smtp.received()).isEmpty();
        }
    }

    @Test
    void deliverShouldStayInPlaintextWhenPolicyIsNoneEvenIfServerOffersStartTls() {
        // Given
        try (SmtpTestServer smtp = mx().startTls(pki.serverContext(MX_HOST)).start()) {

            // When
            Outcome outcome = deliver(smtp, TlsPolicy.NONE, null);

            // Then
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            List<ReceivedMessage> received = smtp.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).overTls()).isFalse();
        }
    }

    /** An SMTP server on the MX address, on a free port. */
    private static SmtpTestServerBuilder mx() {
        return SmtpTestServer.builder().bind(MX_ADDRESS).hostName(MX_HOST);
    }

    /** Sends one message to {@link #RECIPIENT} through a fresh engine and returns its outcome. */
    private static Outcome deliver(SmtpTestServer smtp, TlsPolicy policy, KeyStore trustStore) {
        SmtpSettings settings = TestEngines.mxSettings(smtp.port()).withTls(policy, trustStore);
        SendJob job = TestJobs.from("sender@origin.test").to(RECIPIENT).text("over the wire").build();
        try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor(RECIPIENT).outcome();
        }
    }
}
