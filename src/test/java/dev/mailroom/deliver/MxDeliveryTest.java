package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MX-mode delivery end to end: the production resolver asks a real DNS server, the engine talks
 * to real SMTP servers on 127.0.0.2, 127.0.0.3… sharing one port.
 */
class MxDeliveryTest {

    private static DnsTestServer dns;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startDns() {
        dns = DnsTestServer.start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void clearZones() {
        dns.reset();
    }

    @AfterEach
    void closeServers() throws Exception {
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
    }

    @Test
    void deliverShouldUseTheMostPreferredMxHost() throws Exception {
        // Given
        SmtpTestServer primary = server(SmtpTestServer.builder().bind("127.0.0.2"));
        SmtpTestServer backup = server(SmtpTestServer.builder().bind("127.0.0.3").port(primary.port()));
        dns.mx("pref.test", 20, "backup.pref.test").a("backup.pref.test", "127.0.0.3")
                .mx("pref.test", 10, "primary.pref.test").a("primary.pref.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@pref.test").text("hello").build();

        // When
        DeliveryReport report = deliver(primary.port(), job);

        // Then
        RecipientResult ann = report.resultFor("ann@pref.test");
        assertThat(ann.outcome()).isInstanceOf(Outcome.Delivered.class);
        assertThat(ann.outcome().mxHost()).isEqualTo("primary.pref.test");
        assertThat(ann.outcome().diagnosis().replyCode()).isEqualTo(250);
        assertThat(primary.received()).hasSize(1);
        assertThat(primary.received().get(0).recipients()).containsExactly("ann@pref.test");
        assertThat(primary.received().get(0).envelopeFrom()).isEqualTo("sender@mailroom.test");
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void deliverShouldFailOverWhenThePrimaryRefusesConnections() throws Exception {
        // Given: nothing listens on 127.0.0.4, the primary's address
        SmtpTestServer backup = server(SmtpTestServer.builder().bind("127.0.0.3"));
        dns.mx("failover.test", 10, "down.failover.test").a("down.failover.test", "127.0.0.4")
                .mx("failover.test", 20, "up.failover.test").a("up.failover.test", "127.0.0.3");
        SendJob job = TestJobs.from("sender@mailroom.test").to("bo@failover.test").text("hello").build();

        // When
        DeliveryReport report = deliver(backup.port(), job);

        // Then
        assertThat(report.resultFor("bo@failover.test").outcome()).isInstanceOf(Outcome.Delivered.class);
        assertThat(report.resultFor("bo@failover.test").outcome().mxHost()).isEqualTo("up.failover.test");
        assertThat(backup.received()).hasSize(1);
    }

    @Test
    void deliverShouldDeferWithTheFurthestHostsReplyWhenOneMxRefusesForGoodAndAnotherIsDown() throws Exception {
        // Given: the primary answers its greeting with 554, the backup's address refuses connections
        SmtpTestServer blocking = server(SmtpTestServer.builder().bind("127.0.0.2")
                .rejectSessions(554, "5.7.1 your IP is blocked"));
        dns.mx("blocked.test", 10, "mx1.blocked.test").a("mx1.blocked.test", "127.0.0.2")
                .mx("blocked.test", 20, "mx2.blocked.test").a("mx2.blocked.test", "127.0.0.4");
        SendJob job = TestJobs.from("sender@mailroom.test").to("cy@blocked.test").text("hello").build();

        // When
        Outcome outcome = deliver(blocking.port(), job).resultFor("cy@blocked.test").outcome();

        // Then: tried again later (the backup may come back), and the ledger says why: the 554, not
        // the refused connection
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().replyCode()).isEqualTo(554);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.7.1");
        assertThat(outcome.mxHost()).isEqualTo("mx1.blocked.test");
    }

    @Test
    void deliverShouldMoveToTheNextMxWhenGreetedWith421() throws Exception {
        // Given
        SmtpTestServer busy = server(SmtpTestServer.builder().bind("127.0.0.2").rejectSessions(421, "4.3.2 too busy"));
        SmtpTestServer backup = server(SmtpTestServer.builder().bind("127.0.0.3").port(busy.port()));
        dns.mx("busy.test", 10, "mx1.busy.test").a("mx1.busy.test", "127.0.0.2")
                .mx("busy.test", 20, "mx2.busy.test").a("mx2.busy.test", "127.0.0.3");
        SendJob job = TestJobs.from("sender@mailroom.test").to("cy@busy.test").text("hello").build();

        // When
        DeliveryReport report = deliver(busy.port(), job);

        // Then
        assertThat(report.resultFor("cy@busy.test").outcome()).isInstanceOf(Outcome.Delivered.class);
        assertThat(busy.sessionsAccepted()).isEqualTo(1);
        assertThat(busy.received()).isEmpty();
        assertThat(backup.received()).hasSize(1);
    }

    @Test
    void deliverShouldDeferTheDomainWhenEveryMxIsUnavailable() throws Exception {
        // Given: the only MX greets with 421
        SmtpTestServer busy = server(SmtpTestServer.builder().bind("127.0.0.2").rejectSessions(421, "4.3.2 too busy"));
        dns.mx("allbusy.test", 10, "mx.allbusy.test").a("mx.allbusy.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test").to("di@allbusy.test").text("hello").build();

        // When
        Outcome outcome = deliver(busy.port(), job).resultFor("di@allbusy.test").outcome();

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().replyCode()).isEqualTo(421);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.3.2");
        assertThat(outcome.mxHost()).isEqualTo("mx.allbusy.test");
    }

    @Test
    void deliverShouldFailOnlyTheRejectedRecipientAndDeferOnlyTheGreylistedOne() throws Exception {
        // Given
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2")
                .rejectRecipient("bob@mixed.test", 550, "5.1.1 no such user")
                .rejectRecipient("cat@mixed.test", 450, "4.2.0 greylisted, try later"));
        dns.mx("mixed.test", 10, "mx.mixed.test").a("mx.mixed.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test")
                .to("ann@mixed.test", "bob@mixed.test").cc("cat@mixed.test").text("hello").build();

        // When
        DeliveryReport report = deliver(mx.port(), job);

        // Then
        Outcome ann = report.resultFor("ann@mixed.test").outcome();
        Outcome bob = report.resultFor("bob@mixed.test").outcome();
        Outcome cat = report.resultFor("cat@mixed.test").outcome();
        assertThat(ann).isInstanceOf(Outcome.Delivered.class);
        assertThat(bob).isInstanceOf(Outcome.Permanent.class);
        assertThat(bob.diagnosis()).isEqualTo(new Diagnosis(550, "5.1.1", "no such user"));
        assertThat(cat).isInstanceOf(Outcome.Transient.class);
        assertThat(cat.diagnosis()).isEqualTo(new Diagnosis(450, "4.2.0", "greylisted, try later"));
        // one transaction, DATA sent once, to the accepted recipient only
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.received().get(0).recipients()).containsExactly("ann@mixed.test");
    }

    @Test
    void deliverShouldApplyAPermanentDataRejectionToEveryAcceptedRecipient() throws Exception {
        // Given
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2")
                .rejectRecipient("bob@spam.test", 550, "5.1.1 no such user")
                .rejectData(554, "5.7.1 message looks like spam"));
        dns.mx("spam.test", 10, "mx.spam.test").a("mx.spam.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test")
                .to("ann@spam.test", "bob@spam.test", "cy@spam.test").text("buy now").build();

        // When
        DeliveryReport report = deliver(mx.port(), job);

        // Then: the DATA reply for the accepted, the RCPT reply for the refused
        assertThat(report.resultFor("ann@spam.test").outcome().diagnosis()).isEqualTo(
                new Diagnosis(554, "5.7.1", "message looks like spam"));
        assertThat(report.resultFor("cy@spam.test").outcome()).isInstanceOf(Outcome.Permanent.class);
        assertThat(report.resultFor("cy@spam.test").outcome().diagnosis().replyCode()).isEqualTo(554);
        assertThat(report.resultFor("bob@spam.test").outcome().diagnosis().replyCode()).isEqualTo(550);
        assertThat(mx.received()).isEmpty();
    }

    @Test
    void deliverShouldDeferEveryAcceptedRecipientOnATemporaryDataRejection() throws Exception {
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2").rejectData(451, "4.3.0 local error"));
        dns.mx("tempdata.test", 10, "mx.tempdata.test").a("mx.tempdata.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@tempdata.test", "bo@tempdata.test").text("x").build();

        DeliveryReport report = deliver(mx.port(), job);

        assertThat(report.results()).allSatisfy(result -> {
            assertThat(result.outcome()).isInstanceOf(Outcome.Transient.class);
            assertThat(result.outcome().diagnosis().replyCode()).isEqualTo(451);
        });
    }

    @Test
    void deliverShouldDeferWithoutTryingAnotherMxWhenTheConnectionDropsMidData() throws Exception {
        // Given: the primary hangs up halfway through the message; a healthy backup exists
        SmtpTestServer dropping = server(SmtpTestServer.builder().bind("127.0.0.2").dropDuringData(1024));
        SmtpTestServer backup = server(SmtpTestServer.builder().bind("127.0.0.3").port(dropping.port()));
        dns.mx("drop.test", 10, "mx1.drop.test").a("mx1.drop.test", "127.0.0.2")
                .mx("drop.test", 20, "mx2.drop.test").a("mx2.drop.test", "127.0.0.3");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@drop.test")
                .text("a long line of text\n".repeat(5_000)).build();

        // When
        Outcome outcome = deliver(dropping.port(), job).resultFor("ann@drop.test").outcome();

        // Then: transient, and not re-sent elsewhere in the same attempt (the first server might
        // have kept it: RFC 5321 §6.1)
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().hasReply()).isFalse();
        assertThat(outcome.mxHost()).isEqualTo("mx1.drop.test");
        assertThat(dropping.received()).isEmpty();
        assertThat(backup.received()).isEmpty();
    }

    @Test
    void deliverShouldDeferWhenTheServerStallsPastTheReadTimeout() throws Exception {
        // Given: the server goes quiet after the message; our read timeout is 500 ms
        SmtpTestServer stalling = server(SmtpTestServer.builder().bind("127.0.0.2").stallOnData(Duration.ofSeconds(10)));
        dns.mx("stall.test", 10, "mx.stall.test").a("mx.stall.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@stall.test").text("hello").build();
        SmtpSettings settings = TestEngines.mxSettings(stalling.port())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2));

        // When
        Outcome outcome;
        try (DeliveryEngine engine = TestEngines.engine(settings, dns)) {
            outcome = TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("ann@stall.test").outcome();
        }

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.4.2");
        assertThat(outcome.diagnosis().text()).startsWith("timed out");
    }

    @Test
    void deliverShouldFailEarlyWithoutStreamingWhenTheMessageExceedsTheAnnouncedSize() throws Exception {
        // Given: the server announces SIZE 10000; the message carries a 50 kB attachment
        SmtpTestServer small = server(SmtpTestServer.builder().bind("127.0.0.2").maxMessageSize(10_000));
        dns.mx("small.test", 10, "mx.small.test").a("mx.small.test", "127.0.0.2");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@small.test").text("see attached")
                .attach(new dev.mailroom.job.Attachment("big.bin", "application/octet-stream", null, null,
                        java.util.Base64.getEncoder().encodeToString(new byte[50_000]), null))
                .build();

        // When
        Outcome outcome = deliver(small.port(), job).resultFor("ann@small.test").outcome();

        // Then
        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.3.4");
        assertThat(outcome.mxHost()).isEqualTo("mx.small.test");
        assertThat(small.dataAttempts()).isZero();
    }

    @Test
    void deliverShouldDeliverToTheDomainItselfWhenItHasNoMx() throws Exception {
        SmtpTestServer host = server(SmtpTestServer.builder().bind("127.0.0.5"));
        dns.a("implicit.test", "127.0.0.5");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@implicit.test").text("hello").build();

        Outcome outcome = deliver(host.port(), job).resultFor("ann@implicit.test").outcome();

        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcome.mxHost()).isEqualTo("implicit.test");
        assertThat(host.received()).hasSize(1);
    }

    @Test
    void deliverShouldFailPermanentlyWithoutConnectingWhenTheDomainHasANullMx() throws Exception {
        // Given: a server that would accept anything sits at the domain's address
        SmtpTestServer host = server(SmtpTestServer.builder().bind("127.0.0.6"));
        dns.nullMx("nomail.test").a("nomail.test", "127.0.0.6");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@nomail.test").text("hello").build();

        Outcome outcome = deliver(host.port(), job).resultFor("ann@nomail.test").outcome();

        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.1.10");
        assertThat(outcome.mxHost()).isNull();
        assertThat(host.sessionsAccepted()).isZero();
    }

    @Test
    void deliverShouldFailPermanentlyWhenTheDomainDoesNotExist() {
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@nxdomain.test").text("hello").build();

        Outcome outcome = deliver(2525, job).resultFor("ann@nxdomain.test").outcome();

        assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("5.1.2");
    }

    @Test
    void deliverShouldDeferWhenDnsAnswersServfail() {
        dns.serverFailure("servfail.test");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@servfail.test").text("hello").build();

        Outcome outcome = deliver(2525, job).resultFor("ann@servfail.test").outcome();

        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.4.3");
    }

    @Test
    void deliverShouldRunOneTransactionPerDomainAndReportEveryRecipient() throws Exception {
        // Given: three domains, two of them served by the same host
        SmtpTestServer first = server(SmtpTestServer.builder().bind("127.0.0.2"));
        SmtpTestServer second = server(SmtpTestServer.builder().bind("127.0.0.3").port(first.port()));
        dns.mx("one.test", 10, "mx.one.test").a("mx.one.test", "127.0.0.2")
                .mx("two.test", 10, "mx.two.test").a("mx.two.test", "127.0.0.3")
                .mx("three.test", 10, "mx.one.test");
        SendJob job = TestJobs.from("sender@mailroom.test")
                .to("a@one.test", "b@two.test", "c@one.test").bcc("d@three.test").text("hello").build();

        // When
        DeliveryReport report = deliver(first.port(), job);

        // Then
        assertThat(report.results()).hasSize(4).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(first.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactlyInAnyOrder(List.of("a@one.test", "c@one.test"), List.of("d@three.test"));
        assertThat(second.received()).extracting(SmtpTestServer.ReceivedMessage::recipients)
                .containsExactly(List.of("b@two.test"));
        // the same message everywhere
        assertThat(first.received().get(0).parse().getMessageID()).isEqualTo(report.messageId());
        assertThat(second.received().get(0).parse().getMessageID()).isEqualTo(report.messageId());
    }

    private SmtpTestServer server(SmtpTestServerBuilder builder) {
        SmtpTestServer server = builder.start();
        closeAfter.add(server);
        return server;
    }

    private DeliveryReport deliver(int smtpPort, SendJob job) {
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(smtpPort), dns)) {
            return TestEngines.send(engine, job, TestJobs.envelopeOf(job));
        }
    }
}
