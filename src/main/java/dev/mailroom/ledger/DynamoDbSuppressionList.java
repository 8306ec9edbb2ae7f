package dev.mailroom.ledger;

import static dev.mailroom.ledger.LedgerItems.n;
import static dev.mailroom.ledger.LedgerItems.s;
import static dev.mailroom.ledger.LedgerItems.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The suppression list in its own DynamoDB table: one item per scope and address, keyed by
 * {@code pk} = {@code <scope>#<address>} ({@code global#ann@example.org},
 * {@code tenant:acme#ann@example.org}), so that a job's whole check is one BatchGetItem of
 * known keys — never a query or a scan. An expiring entry carries {@code ttl} (epoch seconds) for
 * DynamoDB's TTL, which the SAM template enables; reads ignore expired items TTL has not removed yet.
 */
public final class DynamoDbSuppressionList implements SuppressionList {

    static final String PK = "pk";
    /** BatchGetItem's limit of keys per request. */
    static final int MAX_KEYS_PER_BATCH = 100;
    /** Keys DynamoDB left unprocessed (throttling, the 16 MB cap) are asked again this many times, with a pause. */
    static final int MAX_ROUNDS = 8;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(50);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    /** An automatic entry never replaces one in force: absent, or expired (TTL may not have removed it yet). */
    private static final String ABSENT_CONDITION = "attribute_not_exists(#pk) OR #expiresAt < :now";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbSuppressionList(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Map<String, Suppression> find(Collection<String> addresses, Optional<String> tenant, Instant now) {
        Set<String> keys = new LinkedHashSet<>();
        for (String address : addresses) {
            keys.add(Suppression.key(SuppressionScope.GLOBAL, address));
            tenant.ifPresent(name -> keys.add(Suppression.key(SuppressionScope.tenant(name), address)));
        }
        List<String> all = List.copyOf(keys);
        Map<String, Suppression> found = new HashMap<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_BATCH) {
            for (Map<String, AttributeValue> item : batchGet(all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_BATCH)))) {
                Suppression entry = entry(item);
                if (entry.inForceAt(now)) {
                    found.merge(entry.address(), entry, (a, b) -> a.scope() instanceof SuppressionScope.Global ? a : b);
                }
            }
        }
        return found;
    }

    /** One chunk of at most 100 keys, with the keys DynamoDB leaves unprocessed asked again. */
    private List<Map<String, AttributeValue>> batchGet(List<String> keys) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        // Eventually consistent (half the read units): an entry added a moment ago may be missed by a
        // job already being claimed, which is no worse than the job having come a moment earlier.
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                .keys(keys.stream().map(key -> Map.of(PK, s(key))).toList()).consistentRead(false).build());
        Duration pause = FIRST_PAUSE;
        for (int round = 1; ; round++) {
            Map<String, KeysAndAttributes> asked = request;
            BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(asked));
            items.addAll(response.responses().getOrDefault(table, List.of()));
            if (!response.hasUnprocessedKeys() || response.unprocessedKeys().isEmpty()) {
                return items;
            }
            if (round == MAX_ROUNDS) {
                throw new IllegalStateException("suppression list " + table + ": keys still unprocessed after "
                        + MAX_ROUNDS + " rounds");
            }
            // AWS: retry UnprocessedKeys with exponential backoff (BatchGetItem, "Error handling").
            request = response.unprocessedKeys();
            sleep(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        }
    }

    @Override
    public void put(Suppression entry) {
        dynamo.putItem(b -> b.tableName(table).item(item(entry)));
    }

    @Override
    public boolean putIfAbsent(Suppression entry, Instant now) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(entry))
                    .conditionExpression(ABSENT_CONDITION)
                    .expressionAttributeNames(Map.of("#pk", PK, "#expiresAt", "expiresAt"))
                    .expressionAttributeValues(Map.of(":now", time(now))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean remove(SuppressionScope scope, String address) {
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table)
                .key(Map.of(PK, s(Suppression.key(scope, address)))).returnValues(ReturnValue.ALL_OLD)).attributes();
        return old != null && !old.isEmpty();
    }

    @Override
    public List<Suppression> list(Instant now) {
        return dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true)).items().stream()
                .map(DynamoDbSuppressionList::entry)
                .filter(entry -> entry.inForceAt(now))
                .sorted(Comparator.comparing(Suppression::key))
                .toList();
    }

    static Map<String, AttributeValue> item(Suppression entry) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(entry.key()));
        item.put("scope", s(entry.scope().key()));
        item.put("address", s(entry.address()));
        item.put("reason", s(entry.reason().name()));
        item.put("source", s(entry.source()));
        item.put("createdAt", time(entry.at()));
        if (entry.expiresAt() != null) {
            item.put("expiresAt", time(entry.expiresAt()));
            // TTL counts whole seconds; rounded up, so the item is never removed before it expires.
            long millis = entry.expiresAt().toEpochMilli();
            item.put("ttl", n(Math.floorDiv(millis + 999, 1000)));
        }
        return item;
    }

    private static Suppression entry(Map<String, AttributeValue> item) {
        AttributeValue expiresAt = item.get("expiresAt");
        return new Suppression(SuppressionScope.parse(item.get("scope").s()), item.get("address").s(),
                SuppressionReason.valueOf(item.get("reason").s()), item.get("source").s(),
                Instant.ofEpochMilli(Long.parseLong(item.get("createdAt").n())),
                expiresAt == null ? null : Instant.ofEpochMilli(Long.parseLong(expiresAt.n())));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the suppression list", e);
        }
    }
}
