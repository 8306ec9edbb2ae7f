package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.SentRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The ledger against a real DynamoDB API (dynalite, or LocalStack with -Dmailroom.stack=localstack). */
class DynamoDbLedgerTest {

    /** The payload the jobs of this test were claimed for. */
    private static final PayloadFingerprint PAYLOAD = PayloadFingerprint.of("{\"version\":1}");

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(15);

    private static final Duration RETENTION = Duration.ofDays(30);

    private final SentRequests sent = new SentRequests();
    private AwsTestStack stack;
    private String table;
    private DynamoDbClient client;
    private DynamoDbLedger ledger;

    @BeforeEach
    void freshTable() {
        stack = AwsTestStack.shared();
        table = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        client = sent.dynamoClient(stack.dynamoEndpoint());
        ledger = new DynamoDbLedger(client, table, RETENTION);
    }

    @AfterEach
    void closeClient() {
        client.close();
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
    void recordShouldFailWhenTheCallerLostTheLease() {
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
        RecipientRecord deferred = new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, T0);
        ledger.record(new AttemptResult("job-6", "worker-a", JobStatus.DEFERRED, null,
                Map.of("ann@example.org", deferred), T0.plusSeconds(300), "ann: 451", null, T0));

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
        assertThat(changed).isEqualTo(new Reconciliation.DeadLettered());
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
        RecipientRecord deferred = new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, T0);
        ledger.record(new AttemptResult("job-12", "worker-a", JobStatus.DEFERRED, null,
                Map.of("ann@example.org", deferred), T0.plusSeconds(300), "ann: 451", null, T0));
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
        stack.dynamo().putItem(b -> b.tableName(table).item(Map.of("jobId", AttributeValue.fromS("job-14"),
                "status", AttributeValue.fromS("DEFERRED"), "attempts", AttributeValue.fromN("1"),
                "createdAt", AttributeValue.fromN(Long.toString(T0.toEpochMilli())))));

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
        ledger.record(new AttemptResult("job-16", "worker-a", JobStatus.DEFERRED, null, Map.of("ann@example.org",
                new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, T0)), T0, "ann: 451", null, T0));
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
    void claimShouldBeConditionedOnTheJobBeingNewOrClaimableForThisPayload() {
        ledger.claim("job-c", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        assertConditionSent("job-c",
                "attribute_not_exists(#jobId) OR ((attribute_not_exists(#fingerprint) OR #fingerprint = :fingerprint) "
                        + "AND #status IN (:queued, :deferred, :sending) "
                        + "AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now))",
                names("jobId", "fingerprint", "status", "leaseUntil", "leaseOwner", "updatedAt", "createdAt",
                        "recipients", "attempts"),
                Map.of(":fingerprint", s(PAYLOAD.sha256()), ":queued", s("QUEUED"), ":deferred", s("DEFERRED"),
                        ":sending", s("SENDING"), ":now", millis(T0)));
    }

    @Test
    void recordShouldBeConditionedOnTheCallerHoldingTheLeaseOfAJobBeingSent() {
        ledger.claim("job-r", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);

        ledger.record(delivered("job-r", "worker-a", T0.plusSeconds(2)));

        Map<String, String> names = names("leaseOwner", "status", "updatedAt", "messageId", "nextAttemptAt",
                "recipients", "leaseUntil", "ttl");
        names.put("#k3", "ann@example.org");
        assertConditionSent("job-r", "#leaseOwner = :owner AND #status = :sending", names,
                Map.of(":owner", s("worker-a"), ":sending", s("SENDING")));
    }

    @Test
    void rejectShouldBeConditionedOnTheIdBeingNewOrThisPayloadsRejection() {
        ledger.reject("job-x", PAYLOAD, "from: is required", "dead-letters/job-x/1.json", T0);

        assertConditionSent("job-x", "attribute_not_exists(#jobId) OR (#status = :rejected "
                        + "AND (attribute_not_exists(#fingerprint) OR #fingerprint = :fingerprint))",
                names("jobId", "status", "fingerprint", "lastError", "updatedAt", "createdAt", "ttl", "archiveKey"),
                Map.of(":rejected", s("REJECTED"), ":fingerprint", s(PAYLOAD.sha256())));
    }

    @Test
    void reconcileDeadLetterShouldBeConditionedOnNobodyHavingCreatedAJobNeverSeen() {
        ledger.reconcileDeadLetter("job-n", PAYLOAD, "exceeded receive count", "k", T0);

        assertConditionSent("job-n", "attribute_not_exists(#jobId)",
                names("jobId", "status", "fingerprint", "lastError", "updatedAt", "createdAt", "ttl", "leaseOwner",
                        "leaseUntil", "nextAttemptAt", "archiveKey"),
                Map.of());
    }

    @Test
    void reconcileDeadLetterShouldBeConditionedOnTheStatusItReadAndNoLiveLease() {
        ledger.claim("job-d", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        Instant later = T0.plus(LEASE).plusSeconds(1);

        ledger.reconcileDeadLetter("job-d", PAYLOAD, "exceeded receive count", "k", later);

        Map<String, String> names = names("status", "leaseUntil", "fingerprint", "lastError", "updatedAt", "createdAt",
                "ttl", "leaseOwner", "nextAttemptAt", "archiveKey", "recipients");
        names.put("#k7", "ann@example.org");
        assertConditionSent("job-d", "#status = :seen AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)",
                names, Map.of(":seen", s("SENDING"), ":now", millis(later)));
    }

    @Test
    void resetForRedriveShouldBeConditionedOnTheStatusItRead() {
        ledger.claim("job-q", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.reconcileDeadLetter("job-q", PAYLOAD, "exceeded receive count", "k", T0.plus(LEASE).plusSeconds(1));

        ledger.resetForRedrive("job-q", T0.plus(Duration.ofDays(1)));

        Map<String, String> names = names("status", "attempts", "createdAt", "updatedAt", "ttl", "expiresAt",
                "nextAttemptAt", "recipients");
        names.put("#k4", "ann@example.org");
        assertConditionSent("job-q", "#status = :seen", names, Map.of(":seen", s("DEAD_LETTERED")));
    }

    @Test
    void everyWriteShouldBeConditional() {
        // Given: a job's whole life — deferred, dead-lettered, redriven, delivered — and an invalid message
        ledger.claim("job-w", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(new AttemptResult("job-w", "worker-a", JobStatus.DEFERRED, null, Map.of("ann@example.org",
                new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "later", "mx", 1, T0)), T0, "ann: 451", null, T0));
        ledger.claim("job-w", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, T0.plusSeconds(1));
        ledger.reconcileDeadLetter("job-w", PAYLOAD, "exceeded receive count", "k", T0.plus(LEASE).plusSeconds(2));
        ledger.resetForRedrive("job-w", T0.plus(Duration.ofDays(1)));
        ledger.claim("job-w", PAYLOAD, "worker-c", LEASE, List.of("ann@example.org"), null, T0.plus(Duration.ofDays(1)));
        ledger.record(delivered("job-w", "worker-c", T0.plus(Duration.ofDays(1))));
        ledger.reject("job-v", PAYLOAD, "from: is required", "k-v", T0);
        ledger.reconcileDeadLetter("job-u", PAYLOAD, "exceeded receive count", "k-u", T0);

        // Then: reads, and updates that each carry a condition; no unconditional put, delete or batch
        assertThat(sent.all()).allSatisfy(request ->
                assertThat(request).isInstanceOfAny(GetItemRequest.class, UpdateItemRequest.class));
        assertThat(sent.all(UpdateItemRequest.class)).hasSize(9)
                .allSatisfy(update -> assertThat(update.conditionExpression()).isNotBlank());
    }

    @Test
    void terminalItemsShouldCarryATtlOfTheirRetentionAndARedrivenOneNone() {
        // Given: a job deferred once, then delivered; a rejection; a job dead-lettered, then redriven
        ledger.claim("job-t", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(new AttemptResult("job-t", "worker-a", JobStatus.DEFERRED, null, Map.of(), T0.plusSeconds(300),
                "ann: 451", null, T0));
        Map<String, AttributeValue> deferred = rawItem("job-t");
        Instant delivery = T0.plusSeconds(301);
        ledger.claim("job-t", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, delivery);
        ledger.record(delivered("job-t", "worker-b", delivery));
        ledger.reject("job-x", PAYLOAD, "from: is required", "k-x", T0);
        ledger.reconcileDeadLetter("job-q", PAYLOAD, "exceeded receive count", "k-q", T0);
        Map<String, AttributeValue> deadLettered = rawItem("job-q");
        ledger.resetForRedrive("job-q", T0.plusSeconds(5));

        // Then: TTL (epoch seconds) removes terminal items once their retention has passed, and no other
        assertThat(deferred).doesNotContainKey("ttl");
        assertThat(rawItem("job-t").get("ttl")).isEqualTo(n(delivery.plus(RETENTION).getEpochSecond()));
        assertThat(rawItem("job-x").get("ttl")).isEqualTo(n(T0.plus(RETENTION).getEpochSecond()));
        assertThat(deadLettered.get("ttl")).isEqualTo(n(T0.plus(RETENTION).getEpochSecond()));
        assertThat(rawItem("job-q")).doesNotContainKey("ttl");
    }

    /** The last UpdateItem sent was about {@code jobId}, under exactly this condition. */
    private void assertConditionSent(String jobId, String condition, Map<String, String> names,
                                     Map<String, AttributeValue> conditionValues) {
        UpdateItemRequest update = sent.last(UpdateItemRequest.class);
        assertThat(update.tableName()).isEqualTo(table);
        assertThat(update.key()).isEqualTo(Map.of("jobId", s(jobId)));
        assertThat(update.conditionExpression()).isEqualTo(condition);
        assertThat(update.expressionAttributeNames()).isEqualTo(names);
        assertThat(update.expressionAttributeValues()).containsAllEntriesOf(conditionValues);
    }

    /** {@code #attribute → attribute} for each one. */
    private static Map<String, String> names(String... attributes) {
        Map<String, String> names = new HashMap<>();
        for (String attribute : attributes) {
            names.put("#" + attribute, attribute);
        }
        return names;
    }

    private Map<String, AttributeValue> rawItem(String jobId) {
        return stack.dynamo().getItem(b -> b.tableName(table).key(Map.of("jobId", s(jobId))).consistentRead(true)).item();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static AttributeValue millis(Instant instant) {
        return n(instant.toEpochMilli());
    }

    private static AttemptResult delivered(String jobId, String owner, Instant now) {
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, now);
        return new AttemptResult(jobId, owner, JobStatus.DELIVERED, "<m@example.com>", Map.of("ann@example.org", ann),
                null, null, null, now);
    }
}
