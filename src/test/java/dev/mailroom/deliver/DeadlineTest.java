package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.Deadline;
import dev.mailroom.job.SendJob;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.resolve.MxResolver;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Read timeouts bound each wait; only the attempt's deadline bounds a server that never quite stops talking. */
class DeadlineTest {

    private DnsTestServer dns;
    private ServerSocket trickler;
    private Thread serving;

    @BeforeEach
    void start() throws IOException {
        dns = DnsTestServer.start();
        trickler = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.2"));
        dns.mx("slow.test", 10, "mx.slow.test").a("mx.slow.test", "127.0.0.2");
        serving = new Thread(this::trickleGreetings, "trickler");
        serving.setDaemon(true);
        serving.start();
    }

    @AfterEach
    void stop() throws IOException {
        trickler.close();
        dns.close();
    }

    @Test
    void deliverShouldCutASessionThatTricklesBytesWhenTheDeadlineComes() {
        // Given: a server that sends its greeting one byte every 200 ms, forever — well inside any
        // read timeout (5 s here)
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@slow.test").text("hello").build();

        // When: the attempt must be over in 3 s (connect timeout 2 s, read timeout 5 s)
        Outcome outcome;
        Instant start;
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(trickler.getLocalPort()), dns)) {
            start = Instant.now();
            outcome = deliverWithin(Duration.ofSeconds(3), engine, job);
        }

        // Then: a transient timeout, returned at the deadline and not when the server relents
        Duration took = Duration.between(start, Instant.now());
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().text()).contains("deadline");
        assertThat(took).isBetween(Duration.ofMillis(2_900), Duration.ofMillis(4_500));
    }

    @Test
    void deliverShouldNotWaitForASilentDnsServerPastTheDeadline() {
        // Given: a DNS server that never answers for the domain, and a resolver that would wait for it
        // at least 10 s
        dns.silent("quiet.test");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@quiet.test").text("hello").build();
        MxResolver patient = DnsMxResolver.create(List.of(dns.address()), Duration.ofSeconds(10));

        // When: the attempt must be over in 2 s
        Outcome outcome;
        Instant start;
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(trickler.getLocalPort()), patient)) {
            start = Instant.now();
            outcome = deliverWithin(Duration.ofSeconds(2), engine, job);
        }

        // Then: deferred at the deadline, saying it cut the resolution of the domain
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(outcome.diagnosis().enhancedCode()).isEqualTo("4.4.3");
        assertThat(outcome.diagnosis().text()).contains("quiet.test").contains("deadline");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(8));
    }

    /** A deadline is set on a clock; delivery must measure it on that clock, not on the system's. */
    @Test
    void deliverShouldMeasureTheDeadlineOnTheInjectedClockWhateverTheSystemClockSays() {
        // Given: a clock an hour behind the system's, and a working server
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        dns.mx("ontime.test", 10, "mx.ontime.test").a("mx.ontime.test", "127.0.0.3");
        SendJob job = TestJobs.from("sender@mailroom.test").to("ann@ontime.test").text("hello").build();
        try (SmtpTestServer server = SmtpTestServer.builder().bind("127.0.0.3").start();
             DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(server.port()), dns, behind)) {

            // When: the attempt has 30 s on that clock
            Outcome outcome = TestEngines.send(engine, job, TestJobs.envelopeOf(job),
                    Deadline.in(Duration.ofSeconds(30), behind)).resultFor("ann@ontime.test").outcome();

            // Then: delivered, neither skipped as past its deadline nor cut at once
            assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
            assertThat(server.received()).hasSize(1);
        }
    }

    /** The outcome of the job's one recipient, sent with {@code time} left. */
    private static Outcome deliverWithin(Duration time, DeliveryEngine engine, SendJob job) {
        return TestEngines.send(engine, job, TestJobs.envelopeOf(job), Deadline.in(time, Clock.systemUTC()))
                .resultFor(job.to().get(0)).outcome();
    }

    private void trickleGreetings() {
        while (!trickler.isClosed()) {
            try (Socket client = trickler.accept()) {
                OutputStream out = client.getOutputStream();
                byte[] endless = "220-mx.slow.test ".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
                for (byte b : endless) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // the client hung up, or the test is over
            }
        }
    }
}
