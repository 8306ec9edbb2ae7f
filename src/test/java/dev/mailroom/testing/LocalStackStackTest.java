package dev.mailroom.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The same API against LocalStack in Docker (DESIGN.md §6). Skipped where Docker is absent: the
 * assumption runs before anything asks Testcontainers for an image.
 */
class LocalStackStackTest {

    private AwsTestStack stack;

    @BeforeEach
    void startLocalStack() {
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "Docker is not available");
        stack = AwsTestStack.localStack();
    }

    @Test
    void sqsShouldDeliverMessageWhenSent() {
        // Given
        String queueUrl = stack.createQueue(stack.uniqueName("jobs"));

        // When
        stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("hello"));

        // Then
        List<Message> received = stack.sqs().receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertThat(stack.usesLocalStack()).isTrue();
        assertThat(received).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo("hello");
            assertThat(message.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1");
        });
    }

    @Test
    void dynamoShouldRejectPutWhenConditionFails() {
        // Given
        String table = stack.uniqueName("ledger");
        stack.dynamo().createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("jobId")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("jobId").keyType(KeyType.HASH).build()));
        stack.awaitTableActive(table);
        Map<String, AttributeValue> item = Map.of("jobId", AttributeValue.fromS("j-1"));
        stack.dynamo().putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(jobId)"));

        // When / Then
        assertThatThrownBy(() -> stack.dynamo().putItem(b -> b.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(jobId)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void s3ShouldReturnObjectWhenPut() {
        // Given
        String bucket = stack.uniqueName("attachments");
        stack.s3().createBucket(b -> b.bucket(bucket));

        // When
        stack.s3().putObject(b -> b.bucket(bucket).key("a.txt"), RequestBody.fromString("attachment"));

        // Then
        byte[] content = stack.s3().getObjectAsBytes(b -> b.bucket(bucket).key("a.txt")).asByteArray();
        assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("attachment");
    }
}
