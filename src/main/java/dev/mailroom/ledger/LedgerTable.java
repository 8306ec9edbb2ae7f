package dev.mailroom.ledger;

import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates the ledger table where nothing else does (the local stack, tests). In AWS the SAM
 * template owns the table, with TTL on {@code ttl} and point-in-time recovery.
 */
public final class LedgerTable {

    private LedgerTable() {
    }

    public static void createIfMissing(DynamoDbClient dynamo, String table, Duration timeout) {
        try {
            dynamo.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(key(LedgerItems.JOB_ID), key(LedgerItems.OUTBOX))
                    .keySchema(KeySchemaElement.builder().attributeName(LedgerItems.JOB_ID).keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(pendingIndex()));
        } catch (ResourceInUseException e) {
            // already there
        }
        awaitActive(dynamo, table, timeout);
        try {
            dynamo.updateTimeToLive(b -> b.tableName(table)
                    .timeToLiveSpecification(t -> t.attributeName("ttl").enabled(true)));
        } catch (SdkException e) {
            // Emulators such as dynalite do not implement TTL; items then simply stay.
        }
    }

    private static AttributeDefinition key(String attribute) {
        return AttributeDefinition.builder().attributeName(attribute).attributeType(ScalarAttributeType.S).build();
    }

    /** The sweeper's sparse index: only items that hold events have its key ({@code outbox}). */
    private static GlobalSecondaryIndex pendingIndex() {
        return GlobalSecondaryIndex.builder().indexName(LedgerItems.PENDING_INDEX)
                .keySchema(KeySchemaElement.builder().attributeName(LedgerItems.OUTBOX).keyType(KeyType.HASH).build())
                .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build();
    }

    private static boolean active(TableDescription table) {
        return table.tableStatus() == TableStatus.ACTIVE && table.globalSecondaryIndexes().stream()
                .allMatch(index -> index.indexStatus() == IndexStatus.ACTIVE);
    }

    // Polled by hand: the SDK waiter's first poll comes after 20 s.
    static void awaitActive(DynamoDbClient dynamo, String table, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!active(dynamo.describeTable(b -> b.tableName(table)).table())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + table + " not active after " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for table " + table, e);
            }
        }
    }
}
