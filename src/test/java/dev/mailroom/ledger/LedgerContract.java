package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Ledger} does (DESIGN.md §3), run against each implementation: DynamoDbLedgerTest
 * (DynamoDB's API, by dynalite or LocalStack) and InMemoryLedgerTest (the test double), so that the
 * in-memory one provably honours the same conditions. Each test starts from an empty ledger.
 */
abstract class LedgerContract {

    /** The payload the jobs of this test were claimed for. */
    static final PayloadFingerprint PAYLOAD = PayloadFingerprint.of("{\"version\":1}");

    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    static final Duration LEASE = Duration.ofMinutes(15);

    Ledger ledger;

    /** A ledger that holds no job. */
    abstract Ledger emptyLedger();

    /**
     * Stores, with no condition, a DEFERRED job's item as items were written before they held a
     * fingerprint: no fingerprint, no recipients, no lease.
     */
    abstract void putDeferredItemWrittenBeforeFingerprints(String jobId, int attempts, Instant createdAt);

    @BeforeEach
    void startEmpty() {
        ledger = emptyLedger();
    }

    @Test
    void claimShouldCreateTheRecordWithPendingRecipientsOnFirstSight() {
        Claim claim = ledger.claim("job-1", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org", "bob@example.net"), null, T0);

        assertThat(claim).isInstanceOf(Claim.Granted.class);
        JobRecord job = ((Claim.Granted) claim).job();
        assertThat(job.status()).isEqualTo(JobStatus.SENDING);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.createdAt()).isEqualTo(T0);
        assertThat(job.leaseOwner()).isEqualTo("worker-a");
        assertThat(job.leaseUntil()).isEqualTo(T0.plus(LEASE));
        assertThat(job.recipients()).containsOnlyKeys("ann@example.org", "bob@example.net");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.PENDING);
    }

    @Test
    void claimShouldBeRefusedWhileAnotherWorkerHoldsALiveLease() {
        ledger.claim("job-2", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        Claim second = ledger.claim("job-2", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plusSeconds(60));

        assertThat(second).isInstanceOf(Claim.Busy.class);
        assertThat(((Claim.Busy) second).job().leaseOwner()).isEqualTo("worker-a");
    }

    @Test
    void claimShouldSucceedOnceACrashedWorkersLeaseHasExpired() {
        ledger.claim("job-3", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        Claim second = ledger.claim("job-3", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plus(LEASE).plusSeconds(1));

        assertThat(second).isInstanceOf(Claim.Granted.class);
        assertThat(((Claim.Granted) second).job().attempts()).isEqualTo(2);
        assertThat(((Claim.Granted) second).job().createdAt()).isEqualTo(T0);
    }

    @Test
    void recordShouldAnswerLeaseLostWhenTheCallerLostTheLease() {
        // Given: worker-a's lease ran out and worker-b took the job
        ledger.claim("job-4", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        Instant later = T0.plus(LEASE).plusSeconds(1);
        ledger.claim("job-4", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, later);

        // When / Then: worker-a's late write is refused, worker-b's goes through
        assertThat(ledger.record(delivered("job-4", "worker-a", later))).isEqualTo(new Recording.LeaseLost("job-4"));
        ledger.record(delivered("job-4", "worker-b", later));
        assertThat(ledger.find("job-4").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void claimShouldReportATerminalJobAsFinished() {
        ledger.claim("job-5", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-5", "worker-a", T0.plusSeconds(2)));

        Claim again = ledger.claim("job-5", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plus(Duration.ofHours(2)));

        assertThat(again).isInstanceOf(Claim.Finished.class);
        JobRecord job = ((Claim.Finished) again).job();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.messageId()).isEqualTo("<m@example.com>");
        assertThat(job.recipient("ann@example.org")).isEqualTo(
                new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, T0.plusSeconds(2)));
    }

    @Test
    void recordShouldReleaseTheLeaseOfADeferredJobSoTheNextAttemptCanClaimIt() {
        ledger.claim("job-6", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(deferred("job-6", "worker-a", T0));

        Claim next = ledger.claim("job-6", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plusSeconds(301));

        assertThat(next).isInstanceOf(Claim.Granted.class);
        assertThat(((Claim.Granted) next).job().recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DEFERRED);
    }

    @Test
    void rejectShouldNeverOverwriteARealJobSharingTheId() {
        ledger.claim("job-7", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-7", "worker-a", T0));

        ledger.reject("job-7", PAYLOAD, "from: is required", "dead-letters/job-7/1.json", T0.plusSeconds(5));

        assertThat(ledger.find("job-7").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
        ledger.reject("job-8", PAYLOAD, "from: is required", "dead-letters/job-8/1.json", T0);
        JobRecord rejected = ledger.find("job-8").orElseThrow();
        assertThat(rejected.status()).isEqualTo(JobStatus.REJECTED);
        assertThat(rejected.lastError()).isEqualTo("from: is required");
        assertThat(rejected.archiveKey()).isEqualTo("dead-letters/job-8/1.json");
    }

    @Test
    void reconcileDeadLetterShouldExpireOpenRecipientsAndLeaveTerminalJobsAlone() {
        // Given: a job whose worker crashed mid-attempt, and one already delivered
        ledger.claim("job-9", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.claim("job-10", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-10", "worker-a", T0));
        Instant later = T0.plus(LEASE).plusSeconds(5);

        // When
        Reconciliation changed = ledger.reconcileDeadLetter("job-9", PAYLOAD, "exceeded receive count (5 receives)", "k9", later);
        Reconciliation untouched = ledger.reconcileDeadLetter("job-10", PAYLOAD, "exceeded receive count (5 receives)", "k10", later);

        // Then
        assertThat(changed).isInstanceOf(Reconciliation.DeadLettered.class);
        JobRecord job = ledger.find("job-9").orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).isEqualTo("exceeded receive count (5 receives)");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(job.leaseOwner()).isNull();
        assertThat(untouched).isInstanceOf(Reconciliation.LeftAlone.class);
        assertThat(ledger.find("job-10").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void resetForRedriveShouldMakeADeadLetteredJobClaimableWithFreshAttempts() {
        ledger.claim("job-11", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.reconcileDeadLetter("job-11", PAYLOAD, "exceeded receive count", "k", T0.plus(LEASE).plusSeconds(1));

        ledger.resetForRedrive("job-11", T0.plus(Duration.ofDays(1)));
        Claim claim = ledger.claim("job-11", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plus(Duration.ofDays(1)));

        assertThat(claim).isInstanceOf(Claim.Granted.class);
        JobRecord job = ((Claim.Granted) claim).job();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.PENDING);
    }

    @Test
    void claimShouldAnswerConflictAndChangeNothingWhenAnotherPayloadUsesTheIdOfADeferredJob() {
        // Given: job-12 deferred, its lease released
        ledger.claim("job-12", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(deferred("job-12", "worker-a", T0));
        JobRecord before = ledger.find("job-12").orElseThrow();

        // When: a claim for another payload under the same id
        Claim other = ledger.claim("job-12", PayloadFingerprint.of("{\"other\":true}"), "worker-b", LEASE,
                List.of("bob@example.org"), null, T0.plusSeconds(301));

        // Then
        assertThat(other).isInstanceOf(Claim.Conflict.class);
        assertThat(ledger.find("job-12").orElseThrow()).isEqualTo(before);
        assertThat(before.fingerprint()).isEqualTo(PAYLOAD);
        assertThat(ledger.claim("job-12", PAYLOAD, "worker-c", LEASE, List.of("ann@example.org"), null,
                T0.plusSeconds(302))).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void claimShouldAnswerConflictRatherThanFinishedWhenAnotherPayloadUsesTheIdOfAFinishedJob() {
        ledger.claim("job-13", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-13", "worker-a", T0.plusSeconds(2)));

        assertThat(ledger.claim("job-13", PayloadFingerprint.of("{}"), "worker-b", LEASE, List.of("ann@example.org"),
                null, T0.plusSeconds(3))).isInstanceOf(Claim.Conflict.class);
        assertThat(ledger.claim("job-13", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"),
                null, T0.plusSeconds(3))).isInstanceOf(Claim.Finished.class);
    }

    @Test
    void claimShouldAdmitAnyPayloadOnARecordWrittenBeforeFingerprintsAndKeepThatOne() {
        // Given: a deferred job's item as it was written before items held a fingerprint
        putDeferredItemWrittenBeforeFingerprints("job-14", 1, T0);

        // When
        Claim claim = ledger.claim("job-14", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null,
                T0.plusSeconds(2));

        // Then
        assertThat(claim).isInstanceOf(Claim.Granted.class);
        assertThat(((Claim.Granted) claim).job().fingerprint()).isEqualTo(PAYLOAD);
        assertThat(ledger.claim("job-14", PayloadFingerprint.of("{}"), "worker-b", LEASE, List.of("ann@example.org"),
                null, T0.plus(LEASE).plusSeconds(3))).isInstanceOf(Claim.Conflict.class);
    }

    @Test
    void reconcileDeadLetterShouldLeaveAJobAloneWhenAnotherPayloadUsesItsId() {
        ledger.claim("job-18", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        JobRecord before = ledger.find("job-18").orElseThrow();

        Reconciliation changed = ledger.reconcileDeadLetter("job-18", PayloadFingerprint.of("{}"), "exceeded receive count",
                "k18", T0.plus(LEASE).plusSeconds(1));

        assertThat(changed).isEqualTo(new Reconciliation.LeftAlone(before));
        assertThat(ledger.find("job-18").orElseThrow()).isEqualTo(before);
    }

    @Test
    void reconcileDeadLetterShouldAnswerBusyAndChangeNothingWhileAWorkerHoldsALiveLease() {
        ledger.claim("job-19", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        JobRecord before = ledger.find("job-19").orElseThrow();

        Reconciliation reconciled = ledger.reconcileDeadLetter("job-19", PAYLOAD, "exceeded receive count", "k19",
                T0.plusSeconds(60));

        assertThat(reconciled).isEqualTo(new Reconciliation.Busy("job-19"));
        assertThat(ledger.find("job-19").orElseThrow()).isEqualTo(before);
    }

    @Test
    void rejectShouldNeverOverwriteTheRejectionOfAnotherPayload() {
        ledger.reject("job-15", PAYLOAD, "from: is required", "dead-letters/job-15/1.json", T0);

        ledger.reject("job-15", PayloadFingerprint.of("{}"), "to: is required", "dead-letters/job-15/2.json", T0.plusSeconds(1));
        ledger.reject("job-15", PAYLOAD, "from: is required", "dead-letters/job-15/3.json", T0.plusSeconds(2));

        JobRecord rejected = ledger.find("job-15").orElseThrow();
        assertThat(rejected.lastError()).isEqualTo("from: is required");
        assertThat(rejected.archiveKey()).isEqualTo("dead-letters/job-15/3.json");
        assertThat(rejected.fingerprint()).isEqualTo(PAYLOAD);
        assertThat(ledger.claim("job-15", PayloadFingerprint.of("{}"), "worker-a", LEASE, List.of("ann@example.org"),
                null, T0.plusSeconds(3))).isInstanceOf(Claim.Conflict.class);
    }

    @Test
    void recordShouldGiveBackTheClaimsAttemptWhenNoDeliveryWasTried() {
        // Given: the second claim of a job, which then finds it expired
        ledger.claim("job-16", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(deferred("job-16", "worker-a", T0));
        ledger.claim("job-16", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plusSeconds(1));

        // When
        ledger.record(new AttemptResult("job-16", "worker-b", JobStatus.DEAD_LETTERED, null, Map.of("ann@example.org",
                RecipientRecord.pending(T0).expired(T0.plusSeconds(1))), null, "expired", "k16", T0.plusSeconds(1), false));

        // Then
        assertThat(ledger.find("job-16").orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void recordShouldStoreNoReplyCodeWhenNoServerReplied() {
        ledger.claim("job-17", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        RecipientRecord nullMx = new RecipientRecord(RecipientStatus.FAILED, null, "5.1.10", "null MX", null, 1, T0);

        ledger.record(new AttemptResult("job-17", "worker-a", JobStatus.FAILED, null, Map.of("ann@example.org", nullMx),
                null, "ann: 5.1.10 null MX", null, T0));

        assertThat(ledger.find("job-17").orElseThrow().recipient("ann@example.org")).isEqualTo(nullMx);
    }

    @Test
    void claimShouldKeepTheRecipientsCreationAndExpiryOfTheFirstClaim() {
        // Given: a job first claimed with its expiry, then deferred
        Instant expiry = T0.plus(Duration.ofDays(3));
        ledger.claim("job-20", PAYLOAD, "worker-a", LEASE, List.of("Ann@Example.org"), expiry, T0);
        ledger.record(deferred("job-20", "worker-a", T0));

        // When: the next claim comes with other recipients and another expiry
        Claim next = ledger.claim("job-20", PAYLOAD, "worker-b", LEASE, List.of("bob@example.org"),
                T0.plus(Duration.ofDays(9)), T0.plusSeconds(301));

        // Then
        JobRecord job = ((Claim.Granted) next).job();
        assertThat(job.recipients()).containsOnlyKeys("ann@example.org");
        assertThat(job.expiresAt()).isEqualTo(expiry);
        assertThat(job.createdAt()).isEqualTo(T0);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(job.leaseOwner()).isEqualTo("worker-b");
        assertThat(job.leaseUntil()).isEqualTo(T0.plusSeconds(301).plus(LEASE));
    }

    @Test
    void aLeaseShouldHoldToItsLastMillisecond() {
        ledger.claim("job-32", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        Instant end = T0.plus(LEASE);

        assertThat(ledger.claim("job-32", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, end))
                .isInstanceOf(Claim.Busy.class);
        assertThat(ledger.reconcileDeadLetter("job-32", PAYLOAD, "exceeded receive count", "k32", end))
                .isEqualTo(new Reconciliation.Busy("job-32"));
        assertThat(ledger.claim("job-32", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null,
                end.plusMillis(1))).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void claimsRacingForANewJobShouldGrantExactlyOne() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Claim>> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String owner = "worker-" + i;
                claims.add(workers.submit(() -> {
                    start.await();
                    return ledger.claim("job-21", PAYLOAD, owner, LEASE, List.of("ann@example.org"), null, T0);
                }));
            }
            start.countDown();

            List<Claim> answers = new ArrayList<>();
            for (Future<Claim> claim : claims) {
                answers.add(claim.get(30, TimeUnit.SECONDS));
            }
            assertThat(answers).filteredOn(Claim.Granted.class::isInstance).hasSize(1);
            assertThat(answers).filteredOn(Claim.Busy.class::isInstance).hasSize(7);
            assertThat(ledger.find("job-21").orElseThrow().attempts()).isEqualTo(1);
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void claimShouldKeepInstantsToTheMillisecond() {
        Claim claim = ledger.claim("job-22", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null,
                T0.plusNanos(1_234_567));

        JobRecord job = ((Claim.Granted) claim).job();
        assertThat(job.createdAt()).isEqualTo(T0.plusMillis(1));
        assertThat(job.leaseUntil()).isEqualTo(T0.plus(LEASE).plusMillis(1));
        assertThat(ledger.find("job-22").orElseThrow()).isEqualTo(job);
    }

    @Test
    void recordShouldKeepTheLeaseWhileTheJobIsStillBeingSent() {
        // Given: ann's transaction ended while bob's still runs
        ledger.claim("job-23", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org", "bob@example.org"), null, T0);
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1,
                T0.plusSeconds(1));

        // When: worker-a records it as progress
        Recording progress = ledger.record(new AttemptResult("job-23", "worker-a", JobStatus.SENDING, "<m@example.com>",
                Map.of("ann@example.org", ann), null, null, null, T0.plusSeconds(1)));

        // Then: the lease is still worker-a's, and so is the attempt's last write
        assertThat(progress).isInstanceOf(Recording.Recorded.class);
        JobRecord job = ledger.find("job-23").orElseThrow();
        assertThat(job.leaseOwner()).isEqualTo("worker-a");
        assertThat(job.leaseUntil()).isEqualTo(T0.plus(LEASE));
        assertThat(job.recipient("ann@example.org")).isEqualTo(ann);
        assertThat(ledger.claim("job-23", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null,
                T0.plusSeconds(60))).isInstanceOf(Claim.Busy.class);
        assertThat(ledger.record(delivered("job-23", "worker-a", T0.plusSeconds(2)))).isInstanceOf(Recording.Recorded.class);
    }

    @Test
    void recordShouldSucceedAfterTheLeaseRanOutWhileNoOtherWorkerClaimedTheJob() {
        ledger.claim("job-24", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        // The condition is on the owner and the status, not the time: nobody else has the job
        Recording late = ledger.record(delivered("job-24", "worker-a", T0.plus(LEASE).plusSeconds(10)));

        assertThat(late).isInstanceOf(Recording.Recorded.class);
        assertThat(ledger.find("job-24").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void recordShouldCountARepeatOfAWriteAlreadyAppliedAsRecorded() {
        ledger.claim("job-25", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-25", "worker-a", T0.plusSeconds(2)));

        // As when the first try's reply was lost and the client tried again
        Recording again = ledger.record(delivered("job-25", "worker-a", T0.plusSeconds(2)));

        assertThat(again).isInstanceOf(Recording.Recorded.class);
    }

    @Test
    void recordShouldAnswerLeaseLostForAJobNeverClaimed() {
        assertThat(ledger.record(delivered("job-26", "worker-a", T0))).isEqualTo(new Recording.LeaseLost("job-26"));
        assertThat(ledger.find("job-26")).isEmpty();
    }

    @Test
    void reconcileDeadLetterShouldCreateADeadLetteredRecordForAJobNeverSeen() {
        Reconciliation reconciled = ledger.reconcileDeadLetter("job-27", PAYLOAD, "exceeded receive count", "k27", T0);

        assertThat(reconciled).isInstanceOf(Reconciliation.DeadLettered.class);
        JobRecord job = ledger.find("job-27").orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.fingerprint()).isEqualTo(PAYLOAD);
        assertThat(job.lastError()).isEqualTo("exceeded receive count");
        assertThat(job.archiveKey()).isEqualTo("k27");
        assertThat(job.createdAt()).isEqualTo(T0);
        assertThat(job.attempts()).isZero();
        assertThat(job.recipients()).isEmpty();
        assertThat(ledger.claim("job-27", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null,
                T0.plusSeconds(1))).isInstanceOf(Claim.Finished.class);
    }

    @Test
    void aDeliveredRecipientShouldStayDeliveredThroughDeadLetterRedriveAndClaim() {
        // Given: ann delivered and bob still open when the worker crashed
        ledger.claim("job-28", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org", "bob@example.org"), null, T0);
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1,
                T0.plusSeconds(1));
        ledger.record(new AttemptResult("job-28", "worker-a", JobStatus.SENDING, "<m@example.com>",
                Map.of("ann@example.org", ann), null, null, null, T0.plusSeconds(1)));

        // When: it is dead-lettered, redriven, and claimed again
        ledger.reconcileDeadLetter("job-28", PAYLOAD, "exceeded receive count", "k28", T0.plus(LEASE).plusSeconds(1));
        JobRecord deadLettered = ledger.find("job-28").orElseThrow();
        ledger.resetForRedrive("job-28", T0.plus(Duration.ofDays(1)));
        Claim claim = ledger.claim("job-28", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org", "bob@example.org"),
                null, T0.plus(Duration.ofDays(1)));

        // Then: only bob was expired, and only bob is pending again, his attempts kept (they name his events)
        assertThat(deadLettered.recipient("ann@example.org")).isEqualTo(ann);
        assertThat(deadLettered.recipient("bob@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        JobRecord job = ((Claim.Granted) claim).job();
        assertThat(job.recipient("ann@example.org")).isEqualTo(ann);
        RecipientRecord bob = deadLettered.recipient("bob@example.org");
        assertThat(job.recipient("bob@example.org")).isEqualTo(new RecipientRecord(RecipientStatus.PENDING, null, null,
                null, null, bob.attempts(), T0.plus(Duration.ofDays(1))));
        assertThat(job.messageId()).isEqualTo("<m@example.com>");
    }

    @Test
    void resetForRedriveShouldRefuseAJobThatIsNeitherDeadLetteredNorQueued() {
        ledger.claim("job-29", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        assertThatThrownBy(() -> ledger.resetForRedrive("job-29", T0.plusSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SENDING");
        assertThatThrownBy(() -> ledger.resetForRedrive("job-30", T0.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("job-30");
        assertThat(ledger.find("job-29").orElseThrow().status()).isEqualTo(JobStatus.SENDING);
    }

    @Test
    void resetForRedriveShouldResetAQueuedJobAgain() {
        // Given: a redrive whose re-enqueue failed
        ledger.reconcileDeadLetter("job-31", PAYLOAD, "exceeded receive count", "k31", T0);
        ledger.resetForRedrive("job-31", T0.plusSeconds(1));

        // When
        ledger.resetForRedrive("job-31", T0.plusSeconds(2));

        // Then
        JobRecord job = ledger.find("job-31").orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.createdAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(job.archiveKey()).isEqualTo("k31");
    }

    /** {@code owner}'s attempt deferred ann (451) and the job, for 300 s. */
    static AttemptResult deferred(String jobId, String owner, Instant now) {
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, now);
        return new AttemptResult(jobId, owner, JobStatus.DEFERRED, null, Map.of("ann@example.org", ann),
                now.plusSeconds(300), "ann: 451", null, now);
    }

    /** {@code owner}'s attempt delivered to ann, and the job. */
    @Test
    void aReportAfterDeliveryShouldChangeADeliveredRecipientOnceAndNoOtherRecipient() {
        // Given: ann delivered, bob still pending
        ledger.claim("job-b", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org", "bob@example.net"), null, T0);
        ledger.record(delivered("job-b", "worker-a", T0.plusSeconds(1)));
        Instant later = T0.plus(Duration.ofDays(2));
        RecipientRecord bounced = new RecipientRecord(RecipientStatus.BOUNCED, 550, "5.1.1", "user unknown",
                "mx.example.org", 1, later);

        // When / Then: ann turns BOUNCED; a second report, or one for bob, writes nothing
        assertThat(ledger.recordAfterDelivery("job-b", "ann@example.org", bounced, later, List.of())).isPresent();
        assertThat(ledger.recordAfterDelivery("job-b", "ann@example.org", bounced, later.plusSeconds(1), List.of()))
                .isEmpty();
        assertThat(ledger.recordAfterDelivery("job-b", "bob@example.net", bounced, later, List.of())).isEmpty();
        assertThat(ledger.recordAfterDelivery("job-none", "ann@example.org", bounced, later, List.of())).isEmpty();
        JobRecord job = ledger.find("job-b").orElseThrow();
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.BOUNCED);
        assertThat(job.recipient("ann@example.org").enhancedCode()).isEqualTo("5.1.1");
        assertThat(job.recipient("ann@example.org").at()).isEqualTo(later);
        assertThat(job.recipient("bob@example.net").status()).isEqualTo(RecipientStatus.PENDING);
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
    }

    // ---- the outbox: events kept with the write that makes their transition

    @Test
    void eachWritesEventsShouldBeKeptAsOneBatchUntilMarkedPublished() {
        // Given: a write that keeps two events and the job's mail object
        Ledger ledger = emptyLedger();
        ledger.claim("job-e1", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org", "bob@example.net"), null, T0);
        OutboxEvent send = new OutboxEvent("id-send", "{\"eventType\":\"Send\"}");
        OutboxEvent delivery = new OutboxEvent("id-delivery", "ann@example.org", "{\"eventType\":\"Delivery\"}");

        // When
        Recording recording = ledger.record(progress("job-e1", "worker-a", "ann@example.org", T0.plusSeconds(1))
                .withEvents("{\"messageId\":\"m\"}", List.of(send, delivery), true));

        // Then: the write returns the item, its outbox holding both in one batch, and reading it back says the same
        JobRecord written = ((Recording.Recorded) recording).job().orElseThrow();
        assertThat(written.outbox()).singleElement().satisfies(batch ->
                assertThat(batch.events()).containsExactly(send, delivery));
        assertThat(written.pendingEvents()).containsOnlyKeys("id-send", "id-delivery");
        assertThat(written.mail()).isEqualTo("{\"messageId\":\"m\"}");
        assertThat(written.announced()).isTrue();
        assertThat(ledger.find("job-e1").orElseThrow().outbox()).isEqualTo(written.outbox());

        // When: a second write keeps its own batch, with a mail object of its own
        OutboxEvent bob = new OutboxEvent("id-bob", "bob@example.net", "{\"eventType\":\"Delivery\"}");
        RecipientRecord bobDelivered = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.net",
                1, T0.plusSeconds(2));
        JobRecord both = ((Recording.Recorded) ledger.record(new AttemptResult("job-e1", "worker-a", JobStatus.DELIVERED,
                "<m@example.com>", Map.of("bob@example.net", bobDelivered), null, null, null, T0.plusSeconds(2))
                .withEvents("{\"messageId\":\"other\"}", List.of(bob), false))).job().orElseThrow();

        // Then: two batches; the first write's mail object stays (an event's mail never changes)
        assertThat(both.outbox()).hasSize(2);
        assertThat(both.pendingEvents()).containsOnlyKeys("id-send", "id-delivery", "id-bob");
        assertThat(both.mail()).isEqualTo("{\"messageId\":\"m\"}");

        // When: the first batch is published
        ledger.markPublished("job-e1", List.of(written.outbox().get(0).key()));

        // Then: only the other is left, and the sweep finds the job for it
        assertThat(ledger.find("job-e1").orElseThrow().pendingEvents()).containsOnlyKeys("id-bob");
        List<String> swept = new java.util.ArrayList<>();
        ledger.forEachWithPendingEvents(job -> swept.add(job.jobId()));
        assertThat(swept).containsExactly("job-e1");

        // When: the other too; then nothing is left, and the sweep passes the job by
        ledger.markPublished("job-e1", both.outbox().stream().map(OutboxBatch::key).toList());
        assertThat(ledger.find("job-e1").orElseThrow().outbox()).isEmpty();
        swept.clear();
        ledger.forEachWithPendingEvents(job -> swept.add(job.jobId()));
        assertThat(swept).isEmpty();
        assertThat(ledger.find("job-e1").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void aThousandRecipientsShouldBeRecordedExpiredAndRedrivenWithAllTheirEvents() {
        // Given: a job of 1,000 recipients (MAILROOM_MAX_RECIPIENTS' bound), one transaction for all
        Ledger ledger = emptyLedger();
        List<String> addresses = java.util.stream.IntStream.range(0, 1000)
                .mapToObj(i -> "rcpt-" + i + "@example.org").toList();
        ledger.claim("job-big", PAYLOAD, "worker-a", LEASE, addresses, null, T0);
        Instant at = T0.plusSeconds(1);
        Map<String, RecipientRecord> deferred = new java.util.HashMap<>();
        List<OutboxEvent> events = new java.util.ArrayList<>();
        events.add(new OutboxEvent("send", "{\"eventType\":\"Send\"}"));
        for (String address : addresses) {
            deferred.put(address, new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.7.1", "greylisted, try again"
                    + " in five minutes", "mx.example.org", 1, at));
            events.add(new OutboxEvent("delay-" + address, address, "{\"eventType\":\"DeliveryDelay\",\"deliveryDelay\":"
                    + "{\"delayType\":\"TransientCommunicationFailure\",\"delayedRecipients\":[{\"emailAddress\":\""
                    + address + "\",\"status\":\"4.7.1\",\"diagnosticCode\":\"smtp; 451 4.7.1 greylisted\"}]}}"));
        }

        // When: one write records all of them DEFERRED, with 1,001 events
        Recording recording = ledger.record(new AttemptResult("job-big", "worker-a", JobStatus.DEFERRED, "<m@example.com>",
                deferred, at.plusSeconds(300), "greylisted", null, at).withEvents("{\"messageId\":\"m\"}", events, true));

        // Then: every transition is there, with every event
        JobRecord written = ((Recording.Recorded) recording).job().orElseThrow();
        assertThat(written.status()).isEqualTo(JobStatus.DEFERRED);
        assertThat(written.recipients().values()).hasSize(1000)
                .allSatisfy(record -> assertThat(record.status()).isEqualTo(RecipientStatus.DEFERRED));
        assertThat(written.pendingEvents()).hasSize(1001);
        assertThat(ledger.find("job-big").orElseThrow().pendingEvents()).isEqualTo(written.pendingEvents());

        // When: all are published, then the job is dead-lettered, expiring the 1,000 with an event each
        ledger.markPublished("job-big", written.outbox().stream().map(OutboxBatch::key).toList());
        Reconciliation reconciled = ledger.reconcileDeadLetter("job-big", PAYLOAD, "exceeded receive count", null,
                at.plusSeconds(400), (after, expired) -> new Ledger.Kept(null, expired.stream()
                        .map(address -> new OutboxEvent("expired-" + address, address, "{}")).toList(), false));

        // Then
        JobRecord dead = ((Reconciliation.DeadLettered) reconciled).job().orElseThrow();
        assertThat(dead.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(dead.recipients().values()).allSatisfy(record ->
                assertThat(record.status()).isEqualTo(RecipientStatus.EXPIRED));
        assertThat(dead.pendingEvents()).hasSize(1000).allSatisfy((id, event) -> assertThat(id).startsWith("expired-"));

        // When: it is redriven; then all 1,000 are open again, in the job's second life
        ledger.resetForRedrive("job-big", at.plusSeconds(500));
        JobRecord redriven = ledger.find("job-big").orElseThrow();
        assertThat(redriven.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(redriven.redrives()).isEqualTo(1);
        assertThat(redriven.recipients().values()).allSatisfy(record -> {
            assertThat(record.status()).isEqualTo(RecipientStatus.PENDING);
            assertThat(record.attempts()).isEqualTo(1);
        });
    }

    @Test
    void aWriteRefusedForItsLeaseShouldKeepNoneOfItsEvents() {
        // Given: worker-b holds the lease now
        Ledger ledger = emptyLedger();
        ledger.claim("job-e2", PAYLOAD, "worker-a", Duration.ofMillis(1), List.of("ann@example.org"), null, T0);
        ledger.claim("job-e2", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plusSeconds(1));

        // When: worker-a's late write comes with its event
        Recording late = ledger.record(delivered("job-e2", "worker-a", T0.plusSeconds(2))
                .withEvents("{}", List.of(new OutboxEvent("id-late", "{}")), false));

        // Then: no transition, so no event
        assertThat(late).isInstanceOf(Recording.LeaseLost.class);
        assertThat(ledger.find("job-e2").orElseThrow().outbox()).isEmpty();
    }

    @Test
    void eventsKeptApartFromATransitionShouldNeedTheJobAndBeKeptOncePerId() {
        Ledger ledger = emptyLedger();
        ledger.claim("job-e3", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-e3", "worker-a", T0.plusSeconds(1))
                .withEvents("{}", List.of(new OutboxEvent("id-d", "{}")), true));
        OutboxEvent subscription = new OutboxEvent("id-s", "{\"eventType\":\"Subscription\"}");

        assertThat(ledger.recordEvents("job-e3", List.of(subscription))).isPresent();
        assertThat(ledger.recordEvents("job-e3", List.of(subscription)).orElseThrow().pendingEvents())
                .containsOnlyKeys("id-d", "id-s");
        assertThat(ledger.recordEvents("job-none", List.of(subscription))).isEmpty();
        assertThat(ledger.find("job-none")).isEmpty();
    }

    /** ann DELIVERED, the job still SENDING (another recipient is on its way). */
    static AttemptResult progress(String jobId, String owner, String recipient, Instant now) {
        RecipientRecord rec = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, now);
        return new AttemptResult(jobId, owner, JobStatus.SENDING, "<m@example.com>", Map.of(recipient, rec),
                null, null, null, now);
    }

    static AttemptResult delivered(String jobId, String owner, Instant now) {
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, now);
        return new AttemptResult(jobId, owner, JobStatus.DELIVERED, "<m@example.com>", Map.of("ann@example.org", ann),
                null, null, null, now);
    }
}
