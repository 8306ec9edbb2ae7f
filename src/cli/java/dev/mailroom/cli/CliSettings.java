package dev.mailroom.cli;

import dev.mailroom.aws.AwsEndpoints;
import dev.mailroom.client.ClientSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * What the CLI needs to reach a deployment: the service's own environment variables (README:
 * Configuration), each overridable on the command line. Only what a command uses is required, and
 * only when it is used; unlike the service's configuration, nothing about SMTP or DNS is read.
 */
final class CliSettings {

    private final Map<String, String> environment;
    private final ConnectionOptions options;

    CliSettings(Map<String, String> environment, ConnectionOptions options) {
        this.environment = Map.copyOf(environment);
        this.options = options;
    }

    ClientSettings client() {
        String uploadBucket = firstOf(options.bucket, variable("MAILROOM_ATTACHMENT_BUCKETS")
                .map(buckets -> Arrays.stream(buckets.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .findFirst().orElse(null))
                .orElse(null));
        return new ClientSettings(
                firstOf(options.queueUrl, variable("MAILROOM_QUEUE_URL").orElse(null)),
                uploadBucket,
                firstOf(options.table, variable("MAILROOM_TABLE").orElse(null)),
                firstOf(options.deadLetterQueueUrl, variable("MAILROOM_DLQ_URL").orElse(null)),
                firstOf(options.archiveBucket, variable("MAILROOM_ARCHIVE_BUCKET").orElse(null)),
                firstOf(options.archivePrefix, variable("MAILROOM_ARCHIVE_PREFIX").orElse(null)),
                inlineLimitBytes(),
                firstOf(options.suppressionTable, variable("MAILROOM_SUPPRESSION_TABLE").orElse(null)));
    }

    /** Never more inline than the deployment's intake takes (MAILROOM_MAX_INLINE_BYTES), at most 64 KiB. */
    private long inlineLimitBytes() {
        return variable("MAILROOM_MAX_INLINE_BYTES").map(value -> {
            try {
                long max = Long.parseLong(value);
                if (max >= 0) {
                    return Math.min(max, ClientSettings.DEFAULT_INLINE_LIMIT_BYTES);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CliException("MAILROOM_MAX_INLINE_BYTES must be a number of bytes, was '" + value + "'");
        }).orElse(ClientSettings.DEFAULT_INLINE_LIMIT_BYTES);
    }

    /** --endpoint (every service) wins over the environment; then per-service variables over MAILROOM_AWS_ENDPOINT. */
    AwsEndpoints endpoints() {
        try {
            return options.endpoint != null ? AwsEndpoints.everywhere(AwsEndpoints.parse("--endpoint", options.endpoint))
                    : AwsEndpoints.fromVariables(this::variable);
        } catch (AwsEndpoints.InvalidEndpointException e) {
            throw new CliException(e.source() + " " + e.problem());
        }
    }

    String region() {
        return firstOf(options.region, variable("AWS_REGION").orElse("us-east-1"));
    }

    /** How the user provides a {@link ClientSettings} field, for the error that says it is missing. */
    static String describe(String setting) {
        return switch (setting) {
            case ClientSettings.QUEUE_URL -> "MAILROOM_QUEUE_URL is not set (or pass --queue-url)";
            case ClientSettings.UPLOAD_BUCKET ->
                    "MAILROOM_ATTACHMENT_BUCKETS is not set, needed to upload attachments (or pass --bucket)";
            case ClientSettings.TABLE -> "MAILROOM_TABLE is not set (or pass --table)";
            case ClientSettings.SUPPRESSION_TABLE -> "MAILROOM_SUPPRESSION_TABLE is not set (or pass --suppression-table)";
            case ClientSettings.ARCHIVE_BUCKET ->
                    "MAILROOM_ARCHIVE_BUCKET and MAILROOM_ATTACHMENT_BUCKETS are not set (or pass --archive-bucket)";
            default -> "the setting " + setting + " is missing";
        };
    }

    private Optional<String> variable(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static String firstOf(String override, String fallback) {
        return override != null && !override.isBlank() ? override : fallback;
    }
}
