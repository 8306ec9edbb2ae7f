package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.logicalIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.deploy.SamTemplate.Lambda;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The ledger table and the buckets of template.yaml are what DynamoDbLedger and the archive expect,
 * and their lifecycles keep what the code still needs.
 */
class StorageResourcesTest {

    @Test
    void theLedgerTableShouldMatchDynamoDbLedger() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        JsonNode table = template.properties(logicalIdOf("MAILROOM_TABLE", config.table()));

        assertThat(table.path("KeySchema").toString()).as("ledger key: DynamoDbLedger keys items by jobId (S)")
                .isEqualTo("[{\"AttributeName\":\"jobId\",\"KeyType\":\"HASH\"}]");
        assertThat(table.path("AttributeDefinitions").toString()).isEqualTo("[{\"AttributeName\":\"jobId\",\"AttributeType\":\"S\"},"
                + "{\"AttributeName\":\"outbox\",\"AttributeType\":\"S\"}]");
        assertThat(table.path("GlobalSecondaryIndexes").toString()).as("the sweeper's sparse index (LedgerItems.PENDING_INDEX)")
                .isEqualTo("[{\"IndexName\":\"pending-events\",\"KeySchema\":[{\"AttributeName\":\"outbox\",\"KeyType\":\"HASH\"}],"
                        + "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]");
        assertThat(table.path("TimeToLiveSpecification").toString()).as("ledger TTL: DynamoDbLedger writes `ttl`")
                .isEqualTo("{\"AttributeName\":\"ttl\",\"Enabled\":true}");
        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(table.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled").asBoolean())
                .as("ledger point-in-time recovery").isTrue();
    }

    @Test
    void theSuppressionTableShouldMatchDynamoDbSuppressionList() {
        // Given: the send function's configuration, as the template sets it
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);

        // When
        JsonNode table = template.properties(logicalIdOf("MAILROOM_SUPPRESSION_TABLE", config.suppressionTable()));

        // Then: keyed as DynamoDbSuppressionList reads it, expiring entries removed by TTL, and not the ledger
        assertThat(config.suppressionTable()).as("the template sets MAILROOM_SUPPRESSION_TABLE").isNotNull();
        assertThat(logicalIdOf("MAILROOM_SUPPRESSION_TABLE", config.suppressionTable()))
                .isNotEqualTo(logicalIdOf("MAILROOM_TABLE", config.table()));
        assertThat(table.path("KeySchema").toString()).as("suppression key: scope#address in pk (S)")
                .isEqualTo("[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]");
        assertThat(table.path("AttributeDefinitions").toString()).isEqualTo("[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]");
        assertThat(table.path("TimeToLiveSpecification").toString()).as("suppression TTL: expiring entries carry `ttl`")
                .isEqualTo("{\"AttributeName\":\"ttl\",\"Enabled\":true}");
        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
    }

    @Test
    void theBucketsLifecyclesShouldKeepWhatTheCodeStillNeeds() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        MailroomConfig config = template.config(Lambda.SEND.logicalId);
        long queueRetentionDays = Duration.ofSeconds(template.properties(logicalIdOf("MAILROOM_QUEUE_URL",
                config.queueUrl())).path("MessageRetentionPeriod").asLong()).toDays();
        JsonNode archiveRules = template.properties(logicalIdOf("MAILROOM_ARCHIVE_BUCKET", config.archiveBucket()))
                .path("LifecycleConfiguration").path("Rules");

        assertThat(archiveRules.findValuesAsText("Prefix")).as("archive bucket lifecycle prefix vs MAILROOM_ARCHIVE_PREFIX")
                .containsExactly(config.archivePrefix());
        for (String bucket : config.attachmentBuckets()) {
            JsonNode rules = template.properties(logicalIdOf("MAILROOM_ATTACHMENT_BUCKETS", bucket))
                    .path("LifecycleConfiguration").path("Rules");
            assertThat(rules.findValues("ExpirationInDays")).as("attachments must outlive every job still on the queue")
                    .allSatisfy(days -> assertThat(days.asLong()).isGreaterThanOrEqualTo(queueRetentionDays));
        }
    }

    @Test
    void theInboundBucketShouldBeWhereSesReceivingWritesAndTheBounceFunctionReads() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        JsonNode event = template.functionProperty(Lambda.BOUNCE.logicalId, "Events").path("InboundMail");
        JsonNode statements = template.properties("InboundBucketPolicy").path("PolicyDocument").path("Statement");
        JsonNode sesWrites = statements.get(0);

        // The S3 event fires for what SES stores, under the prefix the bounce role may read
        assertThat(event.path("Type").asText()).isEqualTo("S3");
        assertThat(event.path("Properties").path("Bucket").asText()).isEqualTo("{Ref:InboundBucket}");
        assertThat(event.path("Properties").path("Filter").findValuesAsText("Value")).containsExactly("inbound/");
        assertThat(template.grants(Lambda.BOUNCE.logicalId)).contains("s3:GetObject on {InboundBucket.Arn}/inbound/*");
        // SES receiving may put objects there, for this account only (the confused-deputy guard)
        assertThat(sesWrites.path("Principal").path("Service").asText()).isEqualTo("ses.amazonaws.com");
        assertThat(sesWrites.path("Action").asText()).isEqualTo("s3:PutObject");
        assertThat(sesWrites.path("Resource").asText()).isEqualTo("{InboundBucket.Arn}/inbound/*");
        assertThat(sesWrites.path("Condition").path("StringEquals").has("aws:SourceAccount")).isTrue();
        assertThat(template.properties("InboundBucket").path("LifecycleConfiguration").findValuesAsText("Prefix"))
                .containsExactly("inbound/");
    }
}
