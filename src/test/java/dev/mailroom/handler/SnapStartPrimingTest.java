package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SnapStart's before-snapshot hook exercises a job's code paths and leaves no trace. */
class SnapStartPrimingTest {

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of());
    }

    @AfterEach
    void stop() {
        pipeline.close();
        mx.close();
        dns.close();
    }

    @Test
    void primingShouldSendNothingWriteNothingAndLogNothing() {
        // When: the runtime calls the hook before the snapshot
        SnapStartPriming.register(pipeline.mailroom).beforeCheckpoint(null);

        // Then
        assertThat(mx.sessionsAccepted()).isZero();
        assertThat(pipeline.mailroom.ledger().find("mailroom-priming")).isEmpty();
        assertThat(pipeline.logs).isEmpty();
    }

    @Test
    void aHandlerShouldDeliverAsUsualAfterPriming() {
        // Given
        pipeline.mailroom.prime();
        pipeline.enqueue(PipelineHarness.job("after-priming-1", "ann@example.org", ""));

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("after-priming-1").status()).isEqualTo(dev.mailroom.ledger.JobStatus.DELIVERED);
        assertThat(mx.received()).hasSize(1);
    }
}
