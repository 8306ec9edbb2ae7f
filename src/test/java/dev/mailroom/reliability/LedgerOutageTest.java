package dev.mailroom.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.budget.Deadline;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Recording;
import dev.mailroom.testing.AwsTestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ledger write after a delivery, when DynamoDB is in trouble: it is what keeps a delivered
 * recipient from being sent again, so it must outlast an outage longer than the client's own retries
 * (as long as the caller can wait), give up on time, and know its own write when a lost reply made it
 * try again. DynamoDB is dynalite behind a fault proxy; the client retries 3 times, 20 ms apart.
 */
class LedgerOutageTest {

    /** The payload the jobs of this test were claimed for. */
    private static final PayloadFingerprint PAYLOAD = PayloadFingerprint.of("{\"version\":1}");

    private static final Duration LEASE = Duration.ofMinutes(15);

    private final AwsTestStack stack = AwsTestStack.shared();
    private final AtomicInteger recordTries = new AtomicInteger();
    private volatile FaultHttpProxy.FaultPolicy recordFaults = request -> null;
    private FaultHttpProxy proxy;
    private DynamoDbClient client;
    private DynamoDbLedger ledger;

    @BeforeEach
    void start() {
        String table = stack.uniqueName("outage");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        proxy = FaultHttpProxy.start(stack.dynamoEndpoint(), request -> {
            if (!RandomAwsFaults.isRecord(request.bodyText())) {
                return null;
            }
            recordTries.incrementAndGet();
            return recordFaults.decide(request);
        });
        BackoffStrategy quick = BackoffStrategy.fixedDelay(Duration.ofMillis(20));
        client = DynamoDbClient.builder().endpointOverride(proxy.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(3).backoffStrategy(quick)
                        .throttlingBackoffStrategy(quick)))
                .build();
        ledger = new DynamoDbLedger(client, table, Duration.ofDays(30));
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.close();
    }

    @Test
    void theWriteShouldOutlastAnOutageLongerThanTheClientsOwnRetries() {
        // Given: a claimed job, and DynamoDB throttling the next 5 tries to record it (the client gives up after 3)
        Instant now = Instant.now();
        ledger.claim("outage-1", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, now);
        throttleTheNext(5);

        // When
        ledger.record(delivered("outage-1", "worker-a", now), Deadline.in(Duration.ofSeconds(30), Clock.systemUTC()));

        // Then
        assertThat(ledger.find("outage-1").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(recordTries.get()).isEqualTo(6);
    }

    @Test
    void withoutATimeBudgetTheWriteShouldFailWithTheClient() {
        // Given: the same outage
        Instant now = Instant.now();
        ledger.claim("outage-2", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, now);
        throttleTheNext(5);

        // When / Then: one round of the client's retries, no more
        assertThatThrownBy(() -> ledger.record(delivered("outage-2", "worker-a", now))).isInstanceOf(SdkException.class);
        assertThat(recordTries.get()).isEqualTo(3);
        assertThat(ledger.find("outage-2").orElseThrow().status()).isEqualTo(JobStatus.SENDING);
    }

    @Test
    void theWriteShouldGiveUpAtItsDeadlineWhenTheOutageLasts() {
        // Given: an outage that does not end
        Instant now = Instant.now();
        ledger.claim("outage-3", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, now);
        recordFaults = request -> FaultHttpProxy.dynamoThrottled();

        // When
        long start = System.nanoTime();
        assertThatThrownBy(() -> ledger.record(delivered("outage-3", "worker-a", now), Deadline.in(Duration.ofSeconds(2), Clock.systemUTC())))
                .isInstanceOf(SdkException.class);

        // Then: it stopped trying at its deadline (give or take one try), not after the client's rounds ran out
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(recordTries.get()).isGreaterThan(3);
    }

    @Test
    void aWriteAppliedWhoseReplyWasLostShouldBeKnownAsItsOwnOnTheRetry() {
        // Given: the first try reaches DynamoDB, but its reply is lost (a 500 in its place)
        Instant now = Instant.now();
        ledger.claim("outage-4", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, now);
        AtomicInteger tries = new AtomicInteger();
        recordFaults = request -> tries.incrementAndGet() == 1 ? serverError().afterForwarding() : null;

        // When: the retry finds the job no longer SENDING — because of that very write
        ledger.record(delivered("outage-4", "worker-a", now), Deadline.in(Duration.ofSeconds(30), Clock.systemUTC()));

        // Then: no "lease lost", which would have sent the job round again
        assertThat(ledger.find("outage-4").orElseThrow().status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(tries.get()).isEqualTo(2);
    }

    @Test
    void anotherWorkersWriteShouldStillMeanTheLeaseIsLost() {
        // Given: worker-a's lease ran out, worker-b took the job over and delivered it
        Instant now = Instant.now();
        ledger.claim("outage-5", PAYLOAD, "worker-a", LEASE, List.of("ann@example.org"), null, now.minus(LEASE).minusSeconds(1));
        ledger.claim("outage-5", PAYLOAD, "worker-b", LEASE, List.of("ann@example.org"), null, now);
        ledger.record(delivered("outage-5", "worker-b", now.plusSeconds(1)));

        // When / Then
        assertThat(ledger.record(delivered("outage-5", "worker-a", now.plusSeconds(2)),
                Deadline.in(Duration.ofSeconds(30), Clock.systemUTC()))).isEqualTo(new Recording.LeaseLost("outage-5"));
    }

    private void throttleTheNext(int tries) {
        AtomicInteger left = new AtomicInteger(tries);
        recordFaults = request -> left.getAndDecrement() > 0 ? FaultHttpProxy.dynamoThrottled() : null;
    }

    private static FaultHttpProxy.CannedReply serverError() {
        return new FaultHttpProxy.CannedReply(500, "application/x-amz-json-1.0",
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"lost\"}", "dynamo-500");
    }

    private static AttemptResult delivered(String jobId, String owner, Instant now) {
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, now);
        return new AttemptResult(jobId, owner, JobStatus.DELIVERED, "<m@example.com>", Map.of("ann@example.org", ann),
                null, null, null, now);
    }
}
