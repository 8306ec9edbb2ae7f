package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.SentRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The ledger against a real DynamoDB API (dynalite, or LocalStack with -Dmailroom.stack=localstack):
 * the {@link LedgerContract}, and what only DynamoDB has — the requests sent (each write's exact
 * condition, pinned as sent) and the TTL attribute.
 */
class DynamoDbLedgerTest extends LedgerContract {

    private static final Duration RETENTION = Duration.ofDays(30);

    private final SentRequests sent = new SentRequests();
    private AwsTestStack stack;
    private String table;
    private DynamoDbClient client;

    @Override
    Ledger emptyLedger() {
        stack = AwsTestStack.shared();
        table = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        client = sent.dynamoClient(stack.dynamoEndpoint());
        return new DynamoDbLedger(client, table, RETENTION);
    }

    @Override
    void putDeferredItemWrittenBeforeFingerprints(String jobId, int attempts, Instant createdAt) {
        stack.dynamo().putItem(b -> b.tableName(table).item(Map.of("jobId", AttributeValue.fromS(jobId),
                "status", AttributeValue.fromS("DEFERRED"), "attempts", AttributeValue.fromN(Integer.toString(attempts)),
                "createdAt", AttributeValue.fromN(Long.toString(createdAt.toEpochMilli())))));
    }

    @AfterEach
    void closeClient() {
        client.close();
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
    void reconcileDeadLetterShouldBeConditionedOnTheJobUnwrittenSinceItWasReadAndNoLiveLease() {
        ledger.claim("job-d", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        Instant later = T0.plus(LEASE).plusSeconds(1);

        ledger.reconcileDeadLetter("job-d", PAYLOAD, "exceeded receive count", "k", later);

        Map<String, String> names = names("status", "leaseUntil", "fingerprint", "lastError", "updatedAt", "createdAt",
                "ttl", "leaseOwner", "nextAttemptAt", "archiveKey", "recipients");
        names.put("#k7", "ann@example.org");
        assertConditionSent("job-d", "#status = :seen AND #updatedAt = :seenAt "
                        + "AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)",
                names, Map.of(":seen", s("SENDING"), ":seenAt", millis(T0), ":now", millis(later)));
    }

    @Test
    void reconcileDeadLetterShouldNotExpireARecipientALateWorkerDeliveredAfterTheReconcileReadTheJob() {
        // Given: worker-a's lease ran out mid-attempt and nobody else claimed the job; its delivery of
        // ann (the job's other domain still being sent) is recorded just after the dead-letter function
        // read the job, just before it writes
        ledger.claim("job-late", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        Ledger lateWorker = new DynamoDbLedger(stack.dynamo(), table, RETENTION);
        AtomicBoolean interleaved = new AtomicBoolean();
        try (DynamoDbClient interleaving = DynamoDbClient.builder().endpointOverride(stack.dynamoEndpoint())
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof UpdateItemRequest && !interleaved.getAndSet(true)) {
                            // A progress write: the job's other domain is still being sent.
                            Instant at = T0.plus(LEASE).plusSeconds(1);
                            lateWorker.record(new AttemptResult("job-late", "worker-a", JobStatus.SENDING, null,
                                    Map.of("ann@example.org", new RecipientRecord(RecipientStatus.DELIVERED, 250,
                                            "2.0.0", "ok", "mx.example.org", 1, at)), null, null, null, at));
                        }
                    }
                })).build()) {
            Ledger deadLetterRole = new DynamoDbLedger(interleaving, table, RETENTION);

            // When
            Reconciliation reconciled = deadLetterRole.reconcileDeadLetter("job-late", PAYLOAD,
                    "exceeded receive count", "k", T0.plus(LEASE).plusSeconds(2));

            // Then: the reconcile writes nothing (its message comes back), and ann stays delivered
            assertThat(interleaved).isTrue();
            assertThat(reconciled).isEqualTo(new Reconciliation.Busy("job-late"));
            assertThat(ledger.find("job-late").orElseThrow().recipient("ann@example.org").status())
                    .isEqualTo(RecipientStatus.DELIVERED);
        }
    }

    @Test
    void resetForRedriveShouldBeConditionedOnTheStatusItRead() {
        ledger.claim("job-q", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.reconcileDeadLetter("job-q", PAYLOAD, "exceeded receive count", "k", T0.plus(LEASE).plusSeconds(1));

        ledger.resetForRedrive("job-q", T0.plus(Duration.ofDays(1)));

        Map<String, String> names = names("status", "attempts", "createdAt", "updatedAt", "redrives", "ttl",
                "expiresAt", "nextAttemptAt", "recipients");
        names.put("#k5", "ann@example.org");
        assertConditionSent("job-q", "#status = :seen", names, Map.of(":seen", s("DEAD_LETTERED")));
    }

    @Test
    void aReportAfterDeliveryShouldBeConditionedOnTheRecipientBeingDelivered() {
        ledger.claim("job-r", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-r", "worker-a", T0));

        ledger.recordAfterDelivery("job-r", "ann@example.org", new RecipientRecord(RecipientStatus.COMPLAINED, 250,
                "2.0.0", "complaint (feedback type abuse)", "mx.example.org", 1, T0.plusSeconds(60)), T0.plusSeconds(60),
                List.of());

        Map<String, String> names = names("recipients", "updatedAt", "status");
        names.put("#k0", "ann@example.org");
        names.put("#recipient", "ann@example.org");
        assertConditionSent("job-r", "#recipients.#recipient.#status = :delivered", names,
                Map.of(":delivered", s("DELIVERED")));
    }

    @Test
    void everyWriteShouldBeConditional() {
        // Given: a job's whole life — deferred, dead-lettered, redriven, delivered — and an invalid message
        ledger.claim("job-w", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(deferred("job-w", "worker-a", T0));
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
    void aThousandRecipientJobsWritesShouldEachStayWithinDynamoDbsFourKilobyteExpressions() {
        // Given, When: the contract's job of 1,000 recipients, recorded, dead-lettered and redriven
        aThousandRecipientsShouldBeRecordedExpiredAndRedrivenWithAllTheirEvents();

        // Then: each of the three went as ceil(1000 / 80) = 13 writes, none over DynamoDB's limit
        List<UpdateItemRequest> writes = sent.all(UpdateItemRequest.class).stream()
                .filter(update -> update.key().get("jobId").s().equals("job-big")).toList();
        assertThat(writes).hasSizeGreaterThanOrEqualTo(1 + 3 * 13).allSatisfy(update ->
                assertThat(update.updateExpression().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(4096));
    }

    @Test
    void theSweepShouldReadOnlyTheItemsThatHoldEventsThroughTheSparseIndex() {
        // Given: a job whose events were published, and one whose events wait
        ledger.claim("job-done", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        JobRecord done = ((Recording.Recorded) ledger.record(delivered("job-done", "worker-a", T0)
                .withEvents("{}", List.of(new OutboxEvent("e-1", "{}")), true))).job().orElseThrow();
        ledger.markPublished("job-done", List.of(done.outbox().get(0).key()));
        ledger.claim("job-waits", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(delivered("job-waits", "worker-a", T0).withEvents("{}", List.of(new OutboxEvent("e-2", "{}")), true));
        int before = sent.all().size();

        // When
        List<String> swept = new java.util.ArrayList<>();
        ledger.forEachWithPendingEvents(job -> swept.add(job.jobId()));

        // Then: one Query of the index, one read of the item it names; no Scan
        assertThat(swept).containsExactly("job-waits");
        assertThat(rawItem("job-done")).doesNotContainKeys("outbox", "pendingEvents");
        List<SdkRequest> sweep = sent.all().subList(before, sent.all().size());
        assertThat(sweep).hasSize(2);
        assertThat(sweep.get(0)).isInstanceOfSatisfying(QueryRequest.class, query ->
                assertThat(query.indexName()).isEqualTo("pending-events"));
        assertThat(sweep.get(1)).isInstanceOf(GetItemRequest.class);
    }

    @Test
    void terminalItemsShouldCarryATtlOfTheirRetentionAndARedrivenOneNone() {
        // Given: a job deferred once, then delivered; a rejection; a job dead-lettered, then redriven
        ledger.claim("job-t", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(deferred("job-t", "worker-a", T0));
        Map<String, AttributeValue> whileDeferred = rawItem("job-t");
        Instant delivery = T0.plusSeconds(301);
        ledger.claim("job-t", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, delivery);
        ledger.record(delivered("job-t", "worker-b", delivery));
        ledger.reject("job-x", PAYLOAD, "from: is required", "k-x", T0);
        ledger.reconcileDeadLetter("job-q", PAYLOAD, "exceeded receive count", "k-q", T0);
        Map<String, AttributeValue> deadLettered = rawItem("job-q");
        ledger.resetForRedrive("job-q", T0.plusSeconds(5));

        // Then: TTL (epoch seconds) removes terminal items once their retention has passed, and no other
        assertThat(whileDeferred).doesNotContainKey("ttl");
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

}
