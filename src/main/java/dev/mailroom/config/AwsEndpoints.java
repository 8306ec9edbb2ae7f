package dev.mailroom.config;

import java.net.URI;

/**
 * Endpoint overrides per service, for emulators and LocalStack; all null in AWS. LocalStack serves
 * every service on one endpoint (MAILROOM_AWS_ENDPOINT); the Docker-free emulators each have their
 * own (MAILROOM_SQS_ENDPOINT, MAILROOM_S3_ENDPOINT, MAILROOM_DYNAMODB_ENDPOINT), which win.
 */
public record AwsEndpoints(URI sqs, URI s3, URI dynamo, URI secretsManager) {

    public static AwsEndpoints none() {
        return new AwsEndpoints(null, null, null, null);
    }

    public boolean any() {
        return sqs != null || s3 != null || dynamo != null || secretsManager != null;
    }
}
