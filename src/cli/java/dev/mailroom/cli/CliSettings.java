package dev.mailroom.cli;

import dev.mailroom.client.ClientSettings;
import dev.mailroom.config.AwsEndpoints;
import java.net.URI;
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
                inlineLimitBytes());
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
        if (options.endpoint != null) {
            URI all = uri("--endpoint", options.endpoint);
            return new AwsEndpoints(all, all, all, all);
        }
        URI all = endpoint("MAILROOM_AWS_ENDPOINT", null);
        return new AwsEndpoints(endpoint("MAILROOM_SQS_ENDPOINT", all), endpoint("MAILROOM_S3_ENDPOINT", all),
                endpoint("MAILROOM_DYNAMODB_ENDPOINT", all), all);
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
            case ClientSettings.ARCHIVE_BUCKET ->
                    "MAILROOM_ARCHIVE_BUCKET and MAILROOM_ATTACHMENT_BUCKETS are not set (or pass --archive-bucket)";
            default -> "the setting " + setting + " is missing";
        };
    }

    private URI endpoint(String name, URI fallback) {
        return variable(name).map(value -> uri(name, value)).orElse(fallback);
    }

    private Optional<String> variable(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static String firstOf(String override, String fallback) {
        return override != null && !override.isBlank() ? override : fallback;
    }

    private static URI uri(String name, String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new CliException(name + " must be a URL such as http://127.0.0.1:4566, was '" + value + "'");
    }
}
