package dev.mailroom.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The harness speaks the SQS, DynamoDB and S3 behaviour Mailroom relies on (DESIGN.md §6). */
class AwsTestStackTest {

    private AwsTestStack stack;

    @BeforeEach
    void startStack() {
        stack = AwsTestStack.shared();
    }

    @Test
    void sqsShouldDeliverAndForgetMessageWhenReceivedAndDeleted() {
        // Given
        String queueUrl = stack.createQueue(stack.uniqueName("jobs"));
        SqsClient sqs = stack.sqs();

        // When
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"jobId\":\"j-1\"}"));
        List<Message> received = receive(queueUrl, 30);
        sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(received.get(0).receiptHandle()));

        // Then
        assertThat(received).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo("{\"jobId\":\"j-1\"}");
            assertThat(message.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1");
        });
        assertThat(receive(queueUrl, 0)).isEmpty();
    }

    @Test
    void sqsShouldRedeliverWithHigherReceiveCountWhenVisibilityIsReset() {
        // Given
        String queueUrl = stack.createQueue(stack.uniqueName("jobs"));
        stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("retry me"));
        Message first = receive(queueUrl, 30).get(0);
        assertThat(receive(queueUrl, 30)).as("hidden while in flight").isEmpty();

        // When
        stack.sqs().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(first.receiptHandle())
                .visibilityTimeout(0));

        // Then
        assertThat(receive(queueUrl, 30)).singleElement().satisfies(message -> {
            assertThat(message.messageId()).isEqualTo(first.messageId());
            assertThat(message.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");
        });
    }

    @Test
    void sqsShouldMoveMessageToDeadLetterQueueWhenReceivedMoreThanMaxReceiveCount() {
        // Given
        String deadLetterUrl = stack.createQueue(stack.uniqueName("jobs-dlq"));
        String deadLetterArn = stack.sqs().getQueueAttributes(b -> b.queueUrl(deadLetterUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = stack.createQueue(stack.uniqueName("jobs"), Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"maxReceiveCount\":\"2\",\"deadLetterTargetArn\":\"" + deadLetterArn + "\"}"));
        stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("undeliverable"));

        // When: received twice without being deleted
        for (int attempt = 0; attempt < 2; attempt++) {
            Message message = receive(queueUrl, 30).get(0);
            stack.sqs().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle())
                    .visibilityTimeout(0));
        }

        // Then
        assertThat(receive(queueUrl, 30)).isEmpty();
        assertThat(receive(deadLetterUrl, 30)).singleElement()
                .satisfies(message -> assertThat(message.body()).isEqualTo("undeliverable"));
    }

    @Test
    void dynamoShouldRejectPutWhenConditionFails() {
        // Given
        String table = createLedgerTable();
        Map<String, AttributeValue> item = Map.of("jobId", s("j-1"), "state", s("QUEUED"));
        stack.dynamo().putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(jobId)"));

        // When / Then
        assertThatThrownBy(() -> stack.dynamo().putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(jobId)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void dynamoShouldAddAndSetNestedAttributeWhenUpdated() {
        // Given
        String table = createLedgerTable();
        DynamoDbClient dynamo = stack.dynamo();
        dynamo.putItem(b -> b.tableName(table).item(Map.of("jobId", s("j-1"),
                "recipients", AttributeValue.fromM(Map.of("a@example.com", s("PENDING"))))));

        // When
        dynamo.updateItem(b -> b.tableName(table).key(Map.of("jobId", s("j-1")))
                .updateExpression("ADD attempts :one SET recipients.#rcpt = :delivered")
                .conditionExpression("recipients.#rcpt = :pending")
                .expressionAttributeNames(Map.of("#rcpt", "a@example.com"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":delivered", s("DELIVERED"), ":pending", s("PENDING"))));

        // Then
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("jobId", s("j-1")))
                .consistentRead(true)).item();
        assertThat(item.get("attempts").n()).isEqualTo("1");
        assertThat(item.get("recipients").m()).containsEntry("a@example.com", s("DELIVERED"));
    }

    @Test
    void restartDynamoShouldKeepEndpointButLoseTables() {
        // Given
        String table = createLedgerTable();
        stack.dynamo().putItem(b -> b.tableName(table).item(Map.of("jobId", s("j-1"))));

        // When
        stack.restartDynamo();

        // Then
        assertThatThrownBy(() -> stack.dynamo().describeTable(b -> b.tableName(table)))
                .isInstanceOf(ResourceNotFoundException.class);
        String again = createLedgerTable();
        stack.dynamo().putItem(b -> b.tableName(again).item(Map.of("jobId", s("j-2"))));
        assertThat(stack.dynamo().scan(b -> b.tableName(again)).items()).hasSize(1);
    }

    @Test
    void s3ShouldReturnObjectWhenPut() {
        // Given
        S3Client s3 = stack.s3();
        String bucket = stack.uniqueName("attachments");
        s3.createBucket(b -> b.bucket(bucket));

        // When
        s3.putObject(b -> b.bucket(bucket).key("job/j-1/invoice.pdf"), RequestBody.fromString("%PDF-1.7"));

        // Then
        byte[] content = s3.getObjectAsBytes(b -> b.bucket(bucket).key("job/j-1/invoice.pdf")).asByteArray();
        assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("%PDF-1.7");
    }

    private List<Message> receive(String queueUrl, int visibilityTimeoutSeconds) {
        return stack.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .visibilityTimeout(visibilityTimeoutSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
    }

    private String createLedgerTable() {
        String table = stack.uniqueName("ledger");
        stack.dynamo().createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("jobId")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("jobId").keyType(KeyType.HASH).build()));
        stack.awaitTableActive(table);
        return table;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
