package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.testing.InMemoryLedger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test double {@link InMemoryLedger} (in dev.mailroom.testing) meets the {@link LedgerContract}
 * DynamoDbLedger meets; and its test hooks do what they say.
 */
class InMemoryLedgerTest extends LedgerContract {

    private InMemoryLedger memory;

    @Override
    Ledger emptyLedger() {
        memory = new InMemoryLedger();
        return memory;
    }

    @Override
    void putDeferredItemWrittenBeforeFingerprints(String jobId, int attempts, Instant createdAt) {
        memory.put(new JobRecord(jobId, JobStatus.DEFERRED, attempts, createdAt, null, null, null, null, null, null,
                null, Map.of(), null, null));
    }

    @Test
    void expireLeaseShouldLetAnotherWorkerClaimTheJobAtOnce() {
        // Given: worker-a holds a fresh lease
        ledger.claim("job-e1", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        // When: its lease runs out, and worker-b claims the job a second later
        memory.expireLease("job-e1");
        Claim claim = ledger.claim("job-e1", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null,
                T0.plusSeconds(1));

        // Then: worker-b has it, and worker-a's write is refused
        assertThat(claim).isInstanceOf(Claim.Granted.class);
        assertThat(((Claim.Granted) claim).job().attempts()).isEqualTo(2);
        assertThat(ledger.record(delivered("job-e1", "worker-a", T0.plusSeconds(2))))
                .isEqualTo(new Recording.LeaseLost("job-e1"));
    }

    @Test
    void expireLeaseShouldLeaveTheOwnerAbleToRecordWhileNobodyElseClaimed() {
        ledger.claim("job-e2", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        memory.expireLease("job-e2");

        assertThat(ledger.reconcileDeadLetter("job-e2", PayloadFingerprint.of("{}"), "exceeded receive count", "k",
                T0.plusSeconds(1))).isInstanceOf(Reconciliation.LeftAlone.class);
        assertThat(ledger.record(delivered("job-e2", "worker-a", T0.plusSeconds(1)))).isInstanceOf(Recording.Recorded.class);
    }

    @Test
    void expireLeaseShouldRefuseAJobThatHoldsNoLease() {
        ledger.reject("job-e3", PAYLOAD, "from: is required", "k", T0);

        assertThatThrownBy(() -> memory.expireLease("job-e3")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> memory.expireLease("job-e4")).isInstanceOf(IllegalStateException.class);
    }
}
