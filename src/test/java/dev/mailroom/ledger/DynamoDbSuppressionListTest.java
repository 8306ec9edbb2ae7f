package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.SentRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The suppression list against a real DynamoDB API (dynalite): the {@link SuppressionListContract},
 * and the requests sent — one BatchGetItem per 100 keys with global and tenant keys together,
 * unprocessed keys asked again, the automatic put's condition and the TTL attribute — pinned as sent.
 */
class DynamoDbSuppressionListTest extends SuppressionListContract {

    private final SentRequests sent = new SentRequests();
    /** When set, the next BatchGetItem answer holds back its first item as unprocessed, as DynamoDB may. */
    private final AtomicBoolean holdBackOne = new AtomicBoolean();
    private AwsTestStack stack;
    private String table;
    private DynamoDbClient client;

    @Override
    SuppressionList emptyList() {
        stack = AwsTestStack.shared();
        table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        client = DynamoDbClient.builder().endpointOverride(stack.dynamoEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("mailroom-test", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(sent).addExecutionInterceptor(new HoldBack()))
                .build();
        return new DynamoDbSuppressionList(client, table);
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void findShouldAskForGlobalAndTenantKeysInOneBatchedRead() {
        // When: a tenant's job to two recipients is checked
        list.find(List.of("ann@example.org", "bob@example.net"), Optional.of("acme"), T0);

        // Then: one BatchGetItem of four keys, eventually consistent, all attributes
        List<BatchGetItemRequest> reads = sent.all(BatchGetItemRequest.class);
        assertThat(reads).hasSize(1);
        assertThat(reads.get(0).requestItems()).containsOnlyKeys(table);
        KeysAndAttributes asked = reads.get(0).requestItems().get(table);
        assertThat(asked.keys()).containsExactly(pk("global#ann@example.org"), pk("tenant:acme#ann@example.org"),
                pk("global#bob@example.net"), pk("tenant:acme#bob@example.net"));
        assertThat(asked.consistentRead()).isFalse();
        assertThat(asked.projectionExpression()).isNull();
    }

    @Test
    void findShouldChunkItsKeysAtOneHundredPerRequest() {
        // When: 150 recipients of a tenant's job: 300 keys
        list.find(IntStream.range(0, 150).mapToObj(i -> "u" + i + "@example.org").toList(), Optional.of("acme"), T0);

        // Then
        assertThat(sent.all(BatchGetItemRequest.class)).extracting(r -> r.requestItems().get(table).keys().size())
                .containsExactly(100, 100, 100);
    }

    @Test
    void findShouldAskAgainForTheKeysDynamoDbLeftUnprocessed() {
        // Given: two addresses on the list, and DynamoDB holding one back in its first answer
        list.put(global("ann@example.org", SuppressionReason.BOUNCE));
        list.put(global("bob@example.net", SuppressionReason.BOUNCE));
        holdBackOne.set(true);

        // When
        var found = list.find(List.of("ann@example.org", "bob@example.net"), Optional.empty(), T0);

        // Then: both found; the second request asked only for the key held back
        assertThat(found).containsOnlyKeys("ann@example.org", "bob@example.net");
        List<BatchGetItemRequest> reads = sent.all(BatchGetItemRequest.class);
        assertThat(reads).hasSize(2);
        assertThat(reads.get(1).requestItems().get(table).keys()).hasSize(1);
    }

    @Test
    void putIfAbsentShouldBeConditionedOnNoEntryInForce() {
        list.putIfAbsent(global("ann@example.org", SuppressionReason.BOUNCE), T0);

        PutItemRequest put = sent.last(PutItemRequest.class);
        assertThat(put.conditionExpression()).isEqualTo("attribute_not_exists(#pk) OR #expiresAt < :now");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#expiresAt", "expiresAt"));
        assertThat(put.expressionAttributeValues()).isEqualTo(Map.of(":now", n(T0.toEpochMilli())));
        assertThat(put.item()).isEqualTo(Map.of("pk", s("global#ann@example.org"), "scope", s("global"),
                "address", s("ann@example.org"), "reason", s("BOUNCE"), "source", s("job-1"),
                "createdAt", n(T0.toEpochMilli())));
    }

    @Test
    void putShouldGiveAnExpiringEntryATtlInWholeSecondsNeverBeforeItsExpiry() {
        // Given: an entry expiring 1.5 s past a whole second
        list.put(new Suppression(SuppressionScope.tenant("acme"), "ann@example.org", SuppressionReason.MANUAL, "ops",
                T0, T0.plusMillis(1500)));

        // Then: unconditional, ttl rounded up
        PutItemRequest put = sent.last(PutItemRequest.class);
        assertThat(put.conditionExpression()).isNull();
        assertThat(put.item()).containsEntry("pk", s("tenant:acme#ann@example.org"))
                .containsEntry("expiresAt", n(T0.toEpochMilli() + 1500))
                .containsEntry("ttl", n(T0.getEpochSecond() + 2));
    }

    private static Map<String, AttributeValue> pk(String key) {
        return Map.of("pk", s(key));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** Moves the first item of one BatchGetItem answer to its UnprocessedKeys. */
    private final class HoldBack implements ExecutionInterceptor {
        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            if (!(context.response() instanceof BatchGetItemResponse response) || !holdBackOne.getAndSet(false)) {
                return context.response();
            }
            List<Map<String, AttributeValue>> items = new ArrayList<>(response.responses().get(table));
            Map<String, AttributeValue> held = items.remove(0);
            Map<String, List<Map<String, AttributeValue>>> rest = new HashMap<>(response.responses());
            rest.put(table, items);
            return response.toBuilder().responses(rest).unprocessedKeys(Map.of(table, KeysAndAttributes.builder()
                    .keys(List.of(Map.of("pk", held.get("pk")))).consistentRead(false).build())).build();
        }
    }
}
