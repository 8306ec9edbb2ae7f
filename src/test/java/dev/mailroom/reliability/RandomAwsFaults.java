package dev.mailroom.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FaultHttpProxy.FaultPolicy} that answers a seeded random fraction of requests with the
 * service's own "slow down" error — S3's 503 SlowDown or DynamoDB's throughput-exceeded 400 — which
 * the SDK retries. Optionally, a fraction of the DynamoDB writes that record an attempt's outcome
 * meet an outage instead: every try is throttled, the SDK gives up, and the worker cannot record
 * deliveries it has just made (the same position as a worker killed after the server's 250).
 * Such jobs are remembered in {@link #unrecordedAttempts}.
 */
final class RandomAwsFaults implements FaultHttpProxy.FaultPolicy {

    private static final ObjectMapper JSON = new ObjectMapper();
    // The start of DynamoDbLedger.CLAIM_CONDITION: a new job, or the same payload claimable again.
    private static final String CLAIM_CONDITION = "attribute_not_exists(#jobId) OR ((attribute_not_exists(#fingerprint)";
    private static final String RECORD_CONDITION = "#leaseOwner = ";

    private final double rate;
    private final double recordOutageRate;
    private final FaultHttpProxy.CannedReply reply;
    private final SplittableRandom random;
    private final Set<String> inOutage = ConcurrentHashMap.newKeySet();
    final AtomicInteger faults = new AtomicInteger();
    final AtomicInteger lastTryFaults = new AtomicInteger();
    final AtomicInteger forwardedClaims = new AtomicInteger();
    final AtomicInteger maxAttemptsSeen = new AtomicInteger();
    /**
     * Jobs an attempt of which could not record its outcome in time: the write met an outage (every try
     * throttled; the SDK's backoff alone can outlast the lease) or its last try was throttled anyway.
     */
    final Set<String> unrecordedAttempts = ConcurrentHashMap.newKeySet();

    private RandomAwsFaults(double rate, double recordOutageRate, FaultHttpProxy.CannedReply reply, long seed) {
        this.rate = rate;
        this.recordOutageRate = recordOutageRate;
        this.reply = reply;
        this.random = new SplittableRandom(seed);
    }

    static RandomAwsFaults s3SlowDown(double rate, long seed) {
        return new RandomAwsFaults(rate, 0, FaultHttpProxy.s3SlowDown(), seed);
    }

    /** @param recordOutageRate fraction of attempt-recording writes throttled on every try */
    static RandomAwsFaults dynamoThrottling(double rate, double recordOutageRate, long seed) {
        return new RandomAwsFaults(rate, recordOutageRate, FaultHttpProxy.dynamoThrottled(), seed);
    }

    @Override
    public FaultHttpProxy.CannedReply decide(FaultHttpProxy.ProxyRequest request) {
        maxAttemptsSeen.accumulateAndGet(request.maxAttempts(), Math::max);
        String body = request.body().length > 0 ? request.bodyText() : "";
        String condition = condition(body);
        boolean record = condition.startsWith(RECORD_CONDITION);
        if (record && request.attempt() <= 1 && roll() < recordOutageRate) {
            inOutage.add(body); // the SDK's retries send the very same body
            unrecordedAttempts.add(jobId(body));
        }
        boolean fault = record && inOutage.contains(body) || roll() < rate;
        if (!fault) {
            if (condition.startsWith(CLAIM_CONDITION)) {
                forwardedClaims.incrementAndGet();
            }
            return null;
        }
        faults.incrementAndGet();
        if (request.lastTry()) {
            lastTryFaults.incrementAndGet();
            if (record) {
                inOutage.remove(body);
                unrecordedAttempts.add(jobId(body));
            }
        }
        return reply;
    }

    private double roll() {
        synchronized (random) {
            return random.nextDouble();
        }
    }

    /** {@code DynamoDbLedger.claim}: an UpdateItem conditioned on the job being claimable. */
    static boolean isClaim(String body) {
        return condition(body).startsWith(CLAIM_CONDITION);
    }

    /** {@code DynamoDbLedger.record}: an UpdateItem conditioned on holding the lease. */
    static boolean isRecord(String body) {
        return condition(body).startsWith(RECORD_CONDITION);
    }

    /** The job an UpdateItem or GetItem is about, "?" if none. */
    static String jobId(String body) {
        JsonNode key = parse(body).path("Key").path("jobId").path("S");
        return key.isTextual() ? key.asText() : "?";
    }

    private static String condition(String body) {
        if (!body.contains("\"ConditionExpression\"")) {
            return "";
        }
        return parse(body).path("ConditionExpression").asText("");
    }

    private static JsonNode parse(String body) {
        try {
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
