package dev.mailroom.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code WorkerMain} with a lease shorter than a minute — what crash recovery in worker mode needs,
 * since a dead worker's jobs wait for its lease to run out.
 *
 * <p>A regression test: WorkerMain used to give each batch {@code MAILROOM_LEASE - 1 min}; with a
 * 15 s lease that is -45 s, the handler found no time left for any record and handed every one back
 * unstarted, for ever (until the redrive policy moved it to the DLQ), and nothing said why. Now the
 * batch gets four fifths of the lease, and a lease too short for one attempt stops the worker at
 * start-up naming MAILROOM_LEASE ({@code WorkerMainTest}).
 */
class WorkerMainLeaseTest {

    @Test
    void workerMainShouldDeliverWhenTheLeaseIsShorterThanAMinute() throws Exception {
        // Given: the real WorkerMain, configured with a 15 s lease (1 s connect and 4 s read timeouts), and one job
        ReliabilityRig.Options options = new ReliabilityRig.Options();
        options.leaseSeconds = 15;
        try (ReliabilityRig rig = new ReliabilityRig("worker-main-lease", options)) {
            rig.enqueue(List.of("{\"version\":1,\"jobId\":\"short-lease-1\",\"from\":\"" + ReliabilityRig.SENDER
                    + "\",\"to\":[\"ann@alpha.test\"],\"subject\":\"Hello\",\"text\":\"Hi\",\"headers\":{\""
                    + DeliveredCopies.JOB_HEADER + "\":\"short-lease-1\"}}"));
            Map<String, String> env = rig.workerEnvironment();
            WorkerProcess worker = rig.startWorker("dev.mailroom.worker.WorkerMain", env);

            // When: it has had 30 s, a dozen polls
            Optional<JobRecord> job = Optional.empty();
            for (int i = 0; i < 60 && job.map(j -> j.status() != JobStatus.DELIVERED).orElse(true); i++) {
                Thread.sleep(500);
                job = rig.ledger("short-lease-1");
            }
            worker.stop(5);

            // Then
            assertThat(job).as("ledger item; worker log:\n" + worker.tail(20)).isPresent();
            assertThat(job.get().status()).isEqualTo(JobStatus.DELIVERED);
            assertThat(rig.copies.byJobAndRecipient().get(DeliveredCopies.Key.of("short-lease-1", "ann@alpha.test")))
                    .hasSize(1);
        }
    }
}
