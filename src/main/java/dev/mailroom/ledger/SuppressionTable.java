package dev.mailroom.ledger;

import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Creates the suppression list's table where nothing else does (the local stack, tests): keyed by
 * {@code pk} (S), TTL on {@code ttl}. In AWS the SAM template owns it.
 */
public final class SuppressionTable {

    private SuppressionTable() {
    }

    public static void createIfMissing(DynamoDbClient dynamo, String table, Duration timeout) {
        try {
            dynamo.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(DynamoDbSuppressionList.PK)
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(DynamoDbSuppressionList.PK)
                            .keyType(KeyType.HASH).build()));
        } catch (ResourceInUseException e) {
            // already there
        }
        LedgerTable.awaitActive(dynamo, table, timeout);
        try {
            dynamo.updateTimeToLive(b -> b.tableName(table)
                    .timeToLiveSpecification(t -> t.attributeName("ttl").enabled(true)));
        } catch (SdkException e) {
            // Emulators such as dynalite do not implement TTL; reads ignore expired entries anyway.
        }
    }
}
