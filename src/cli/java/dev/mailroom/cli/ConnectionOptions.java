package dev.mailroom.cli;

import dev.mailroom.retry.ArchiveLayout;
import picocli.CommandLine.Option;

/**
 * Command-line overrides of the deployment's environment variables, a section of its own in the help
 * of every command that reaches AWS.
 */
final class ConnectionOptions {

    @Option(names = "--queue-url", paramLabel = "URL",
            description = "The send queue (default: $MAILROOM_QUEUE_URL).")
    String queueUrl;

    @Option(names = "--dlq-url", paramLabel = "URL",
            description = "The dead-letter queue (default: $MAILROOM_DLQ_URL).")
    String deadLetterQueueUrl;

    @Option(names = "--table", paramLabel = "TABLE",
            description = "The ledger table (default: $MAILROOM_TABLE).")
    String table;

    @Option(names = "--suppression-table", paramLabel = "TABLE",
            description = "The suppression list (default: $MAILROOM_SUPPRESSION_TABLE).")
    String suppressionTable;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = "Where attachments are uploaded (default: the first of $MAILROOM_ATTACHMENT_BUCKETS).")
    String bucket;

    @Option(names = "--archive-bucket", paramLabel = "BUCKET",
            description = "The dead-letter archive (default: $MAILROOM_ARCHIVE_BUCKET, else the upload bucket).")
    String archiveBucket;

    @Option(names = "--archive-prefix", paramLabel = "PREFIX",
            description = "Key prefix of the archive (default: $MAILROOM_ARCHIVE_PREFIX, else "
                    + ArchiveLayout.DEFAULT_PREFIX + ").")
    String archivePrefix;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "One endpoint for SQS, S3 and DynamoDB, e.g. LocalStack (default: $MAILROOM_SQS_ENDPOINT, "
                    + "$MAILROOM_S3_ENDPOINT, $MAILROOM_DYNAMODB_ENDPOINT, else $MAILROOM_AWS_ENDPOINT).")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION",
            description = "The AWS region (default: $AWS_REGION, else us-east-1).")
    String region;
}
