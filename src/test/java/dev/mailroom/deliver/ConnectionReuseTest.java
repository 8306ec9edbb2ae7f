package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.Deadline;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.SmtpTestServerBuilder;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import dev.mailroom.testing.TestPki;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections kept between transactions ({@link ConnectionReuse}): used again for the same server
 * only, only after a transaction that delivered to everyone, replaced when they died while idle,
 * closed after the idle limit, and still cut at each transaction's deadline. Real SMTP servers on
 * loopback; nothing here measures speed.
 */
@Timeout(60)
class ConnectionReuseTest {

    /** Far longer than any test takes: connections close only when a test means them to. */
    private static final Duration LONG_IDLE = Duration.ofSeconds(30);

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
    void closeAll() throws Exception {
        Collections.reverse(closeAfter);
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
    }

    @Test
    void deliverShouldSendSeveralJobsToOneServerOverOneConnection() throws Exception {
        // Given
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2"));
        dns.mx("reuse.test", 10, "mx.reuse.test").a("mx.reuse.test", "127.0.0.2");
        DeliveryEngine engine = engine(TestEngines.mxSettings(mx.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));

        // When: three jobs, one after the other
        for (String name : List.of("ann", "bob", "cy")) {
            assertThat(deliver(engine, job(name + "@reuse.test", "for " + name))).isInstanceOf(Outcome.Delivered.class);
        }

        // Then: one connection carried all three, each message whole and to its own recipient
        assertThat(mx.sessionsAccepted()).isEqualTo(1);
        List<ReceivedMessage> received = mx.received();
        assertThat(received).extracting(ReceivedMessage::recipients)
                .containsExactly(List.of("ann@reuse.test"), List.of("bob@reuse.test"), List.of("cy@reuse.test"));
        assertThat(received).allSatisfy(m -> assertThat(m.envelopeFrom()).isEqualTo("sender@mailroom.test"));
        for (int i = 0; i < 3; i++) {
            String name = List.of("ann", "bob", "cy").get(i);
            assertThat(((String) received.get(i).parse().getContent()).strip()).isEqualTo("for " + name);
        }
    }

    @Test
    void deliverShouldRunEachTransactionOnAKeptConnectionAfterTheLastAndQuitOnClose() throws Exception {
        // Given: a server that records every command
        SmtpTestServer recorder = server(SmtpTestServer.builder());
        dns.mx("log.test", 10, "mx.log.test").a("mx.log.test", "127.0.0.1");
        DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(recorder.port())
                .withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)), dns);

        // When
        for (String name : List.of("ann", "bob")) {
            assertThat(deliver(engine, job(name + "@log.test", "hello"))).isInstanceOf(Outcome.Delivered.class);
        }
        engine.close();

        // Then: greeted once; the second MAIL follows the first end of DATA (RFC 5321 §4.1.4: no RSET
        // needed after a completed transaction); QUIT when the engine closes
        awaitTrue(() -> recorder.commands().contains("QUIT"));
        assertThat(recorder.sessionsAccepted()).isEqualTo(1);
        assertThat(recorder.commands()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT");
    }

    @Test
    void deliverShouldNotShareAConnectionBetweenServers() throws Exception {
        // Given: two domains on two servers, and a third domain whose MX has another name but the
        // first server's address (a connection is verified for one host name: it serves no other)
        SmtpTestServer first = server(SmtpTestServer.builder().bind("127.0.0.2"));
        SmtpTestServer second = server(SmtpTestServer.builder().bind("127.0.0.3").port(first.port()));
        dns.mx("one.test", 10, "mx.one.test").a("mx.one.test", "127.0.0.2")
                .mx("two.test", 10, "mx.two.test").a("mx.two.test", "127.0.0.3")
                .mx("alias.test", 10, "other-name.alias.test").a("other-name.alias.test", "127.0.0.2");
        DeliveryEngine engine = engine(TestEngines.mxSettings(first.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));

        // When: alternating destinations
        for (String recipient : List.of("a@one.test", "b@two.test", "c@alias.test", "d@one.test", "e@two.test",
                "f@alias.test")) {
            assertThat(deliver(engine, job(recipient, "hello"))).isInstanceOf(Outcome.Delivered.class);
        }

        // Then: one connection per host name and address, each reused
        assertThat(first.sessionsAccepted()).isEqualTo(2);
        assertThat(second.sessionsAccepted()).isEqualTo(1);
        assertThat(first.received()).extracting(m -> m.recipients().get(0))
                .containsExactly("a@one.test", "c@alias.test", "d@one.test", "f@alias.test");
        assertThat(second.received()).extracting(m -> m.recipients().get(0)).containsExactly("b@two.test", "e@two.test");
    }

    @Test
    void deliverShouldReplaceAConnectionTheServerClosedWhileIdleWithoutFailingOver() throws Exception {
        // Given: a primary MX that drops connections idle for 200 ms (with a 421, as SubEthaSMTP does),
        // and a backup that must not be needed
        SmtpTestServer primary = server(SmtpTestServer.builder().bind("127.0.0.2").idleTimeout(Duration.ofMillis(200)));
        SmtpTestServer backup = server(SmtpTestServer.builder().bind("127.0.0.3").port(primary.port()));
        dns.mx("drop.test", 10, "mx1.drop.test").a("mx1.drop.test", "127.0.0.2")
                .mx("drop.test", 20, "mx2.drop.test").a("mx2.drop.test", "127.0.0.3");
        DeliveryEngine engine = engine(TestEngines.mxSettings(primary.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));
        assertThat(deliver(engine, job("ann@drop.test", "first"))).isInstanceOf(Outcome.Delivered.class);

        // When: the kept connection has been closed by the server
        Thread.sleep(2_000);
        Outcome second = deliver(engine, job("bob@drop.test", "second"));

        // Then: delivered by the primary over a new connection; each message once
        assertThat(second).isInstanceOf(Outcome.Delivered.class);
        assertThat(second.mxHost()).isEqualTo("mx1.drop.test");
        assertThat(primary.sessionsAccepted()).isEqualTo(2);
        assertThat(primary.received()).extracting(m -> m.recipients().get(0)).containsExactly("ann@drop.test", "bob@drop.test");
        assertThat(primary.dataAttempts()).isEqualTo(2);
        assertThat(backup.sessionsAccepted()).isZero();
    }

    @Test
    void deliverShouldNotKeepAConnectionAfterARefusedRecipient() throws Exception {
        // Given
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2").rejectRecipient("gone@refuse.test", 550, "5.1.1 no such user"));
        dns.mx("refuse.test", 10, "mx.refuse.test").a("mx.refuse.test", "127.0.0.2");
        DeliveryEngine engine = engine(TestEngines.mxSettings(mx.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));

        // When
        Outcome refused = deliver(engine, job("gone@refuse.test", "first"));
        Outcome next = deliver(engine, job("ann@refuse.test", "second"));

        // Then: the second job had a connection of its own
        assertThat(refused).isInstanceOf(Outcome.Permanent.class);
        assertThat(next).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.sessionsAccepted()).isEqualTo(2);
    }

    @Test
    void deliverShouldNotKeepAConnectionAfterATransientReplyOrABrokenTransaction() throws Exception {
        // Given: the first DATA is answered 451, the second is cut mid-message
        SmtpTestServer deferring = server(SmtpTestServer.builder().bind("127.0.0.2").rejectData(451, "4.3.0 try later").failFirst(1));
        SmtpTestServer dropping = server(SmtpTestServer.builder().bind("127.0.0.3").port(deferring.port()).dropDuringData().failFirst(1));
        dns.mx("defer.test", 10, "mx.defer.test").a("mx.defer.test", "127.0.0.2")
                .mx("drop.test", 10, "mx.drop.test").a("mx.drop.test", "127.0.0.3");
        DeliveryEngine engine = engine(TestEngines.mxSettings(deferring.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));

        // When
        List<Outcome> outcomes = new ArrayList<>();
        for (String recipient : List.of("a@defer.test", "b@defer.test", "c@drop.test", "d@drop.test")) {
            outcomes.add(deliver(engine, job(recipient, "x".repeat(4096))));
        }

        // Then: after each failure, a new connection
        assertThat(outcomes).extracting(o -> o.getClass().getSimpleName())
                .containsExactly("Transient", "Delivered", "Transient", "Delivered");
        assertThat(deferring.sessionsAccepted()).isEqualTo(2);
        assertThat(dropping.sessionsAccepted()).isEqualTo(2);
        assertThat(dropping.received()).extracting(m -> m.recipients().get(0)).containsExactly("d@drop.test");
    }

    @Test
    void anIdleConnectionShouldBeClosedAfterTheIdleLimit() throws Exception {
        // Given: connections are kept for 200 ms
        SmtpTestServer recorder = server(SmtpTestServer.builder());
        dns.mx("idle.test", 10, "mx.idle.test").a("mx.idle.test", "127.0.0.1");
        DeliveryEngine engine = engine(TestEngines.mxSettings(recorder.port())
                .withConnectionReuse(ConnectionReuse.idleFor(Duration.ofMillis(200))));
        assertThat(deliver(engine, job("ann@idle.test", "first"))).isInstanceOf(Outcome.Delivered.class);

        // When: nothing more is sent
        awaitTrue(() -> recorder.commands().contains("QUIT"));

        // Then: the engine said goodbye by itself; the next job opens a new connection
        assertThat(deliver(engine, job("bob@idle.test", "second"))).isInstanceOf(Outcome.Delivered.class);
        assertThat(recorder.sessionsAccepted()).isEqualTo(2);
    }

    @Test
    void deliverShouldCutAKeptConnectionAtTheNextTransactionsDeadline() throws Exception {
        // Given: a server that takes the first message, then answers the next end of DATA with a
        // reply that never ends (a byte every 100 ms: no read timeout ever fires)
        SmtpTestServer trickler = server(SmtpTestServer.builder().trickleAfter(1));
        dns.mx("slow.test", 10, "mx.slow.test").a("mx.slow.test", "127.0.0.1");
        DeliveryEngine engine = engine(TestEngines.mxSettings(trickler.port()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE)));
        assertThat(deliver(engine, job("ann@slow.test", "first"))).isInstanceOf(Outcome.Delivered.class);

        // When: the second job, on the kept connection, must be done within 3 s
        SendJob second = job("bob@slow.test", "second");
        Outcome outcome = TestEngines.send(engine, second, TestJobs.envelopeOf(second),
                Deadline.in(Duration.ofSeconds(3), Clock.systemUTC()))
                .resultFor("bob@slow.test").outcome();

        // Then: cut at the deadline, on the same connection, and not sent again elsewhere
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().text()).contains("deadline");
        assertThat(trickler.sessionsAccepted()).isEqualTo(1);
        assertThat(trickler.commands()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA");
    }

    @Test
    void aRelayConnectionShouldBeReusedOnlyAuthenticatedOverVerifiedTls() throws Exception {
        // Given: a 465-style relay requiring AUTH
        TestPki pki = TestPki.create();
        SmtpTestServer relay = server(SmtpTestServer.builder().hostName("localhost")
                .implicitTls(pki.serverContext("localhost")).requireAuth("mailroom-sender", "s3cret"));
        SmtpSettings settings = SmtpSettings.relay("mailroom.test", new Relay("localhost", relay.port(), true, "mailroom-sender", "s3cret"))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withTls(TlsPolicy.VERIFY, pki.trustStore()).withConnectionReuse(ConnectionReuse.idleFor(LONG_IDLE));
        DeliveryEngine engine = engine(settings);

        // When
        for (String recipient : List.of("ann@example.test", "bob@example.org")) {
            assertThat(deliver(engine, job(recipient, "via relay"))).isInstanceOf(Outcome.Delivered.class);
        }

        // Then: one authenticated TLS connection for both; another engine (other credentials) has its own
        assertThat(relay.sessionsAccepted()).isEqualTo(1);
        assertThat(relay.received()).allSatisfy(m -> {
            assertThat(m.overTls()).isTrue();
            assertThat(m.authenticatedUser()).isEqualTo("mailroom-sender");
        });
        DeliveryEngine other = engine(settings.withRelay(new Relay("localhost", relay.port(), true, "someone-else", "other")));
        assertThat(deliver(other, job("cy@example.test", "other credentials"))).isInstanceOf(Outcome.Transient.class);
        assertThat(relay.sessionsAccepted()).isEqualTo(2);
    }

    @Test
    void deliverShouldOpenAConnectionPerJobWhenReuseIsDisabled() throws Exception {
        // Given
        SmtpTestServer mx = server(SmtpTestServer.builder().bind("127.0.0.2"));
        dns.mx("noreuse.test", 10, "mx.noreuse.test").a("mx.noreuse.test", "127.0.0.2");
        DeliveryEngine engine = engine(TestEngines.mxSettings(mx.port()).withConnectionReuse(ConnectionReuse.DISABLED));

        // When
        for (String name : List.of("ann", "bob")) {
            assertThat(deliver(engine, job(name + "@noreuse.test", "hello"))).isInstanceOf(Outcome.Delivered.class);
        }

        // Then
        assertThat(mx.sessionsAccepted()).isEqualTo(2);
    }

    private SmtpTestServer server(SmtpTestServerBuilder builder) {
        SmtpTestServer server = builder.start();
        closeAfter.add(server);
        return server;
    }

    private DeliveryEngine engine(SmtpSettings settings) {
        DeliveryEngine engine = TestEngines.engine(settings, dns);
        closeAfter.add(engine);
        return engine;
    }

    private static SendJob job(String recipient, String text) {
        return TestJobs.from("sender@mailroom.test").to(recipient).text(text).build();
    }

    private static Outcome deliver(DeliveryEngine engine, SendJob job) {
        return TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor(job.to().get(0)).outcome();
    }

    /** Waits (up to 20 s: the machine may be loaded) for something another thread does. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as("condition met within 20 s").isTrue();
    }
}
