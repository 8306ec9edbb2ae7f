package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The records of one batch are handled at once (MAILROOM_PARALLEL_JOBS): a Lambda container whose
 * jobs wait on slow servers is not billed for each wait in turn.
 */
class ParallelRecordsTest {

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        // Every end of DATA is answered after 700 ms, so a session is open long enough to overlap others.
        mx = SmtpTestServer.builder().bind("127.0.0.2").stallOnData(Duration.ofMillis(700)).start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
        mx.close();
        dns.close();
    }

    @Test
    void theJobsOfOneBatchShouldBeDeliveredInParallel() {
        // Given: five jobs, one batch
        pipeline = new PipelineHarness(dns, mx.port(), Map.of());
        enqueueFiveJobs();

        // When
        pipeline.drain();

        // Then: each delivered once, their sessions overlapping
        IntStream.range(0, 5).forEach(i -> assertThat(pipeline.job("parallel-" + i).status()).isEqualTo(JobStatus.DELIVERED));
        assertThat(mx.received()).hasSize(5);
        assertThat(mx.mostOpenSessions()).isGreaterThan(1);
    }

    @Test
    void oneJobAtATimeShouldBeWhatMailroomParallelJobsOfOneMeans() {
        // Given
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("MAILROOM_PARALLEL_JOBS", "1"));
        enqueueFiveJobs();

        // When
        pipeline.drain();

        // Then
        IntStream.range(0, 5).forEach(i -> assertThat(pipeline.job("parallel-" + i).status()).isEqualTo(JobStatus.DELIVERED));
        assertThat(mx.received()).hasSize(5);
        assertThat(mx.mostOpenSessions()).isEqualTo(1);
    }

    private void enqueueFiveJobs() {
        IntStream.range(0, 5).forEach(i -> pipeline.enqueue(PipelineHarness.job("parallel-" + i, "user" + i + "@example.org", "")));
    }
}
