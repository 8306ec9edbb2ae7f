package dev.mailroom.aws;

import dev.mailroom.aws.AwsEndpoints;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients, built once per container over one explicitly chosen HTTP client: the JDK's
 * HttpURLConnection, the leanest for a Lambda cold start (the Apache and Netty clients are not on
 * the classpath). With an endpoint override (emulators, LocalStack) S3 uses path-style addressing
 * and checksums only where required.
 */
public record AwsClients(SqsClient sqs, S3Client s3, DynamoDbClient dynamo, SdkHttpClient http, Region region,
                         AwsEndpoints endpoints, AwsCredentialsProvider credentials) {

    /** SDK attempts per DynamoDB call (standard backoff with jitter between them). */
    static final int LEDGER_MAX_ATTEMPTS = 8;

    public static AwsClients create(AwsEndpoints endpoints, String region) {
        SdkHttpClient http = UrlConnectionHttpClient.create();
        Region awsRegion = Region.of(region);
        AwsCredentialsProvider credentials = !endpoints.any()
                ? DefaultCredentialsProvider.builder().build()
                // Real credentials when the environment has them (an override may point one service
                // only at a local endpoint); emulators accept the placeholder otherwise.
                : AwsCredentialsProviderChain.of(DefaultCredentialsProvider.builder().build(),
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("mailroom-local", "mailroom-local")));
        var sqs = SqsClient.builder().httpClient(http).region(awsRegion).credentialsProvider(credentials);
        var s3 = S3Client.builder().httpClient(http).region(awsRegion).credentialsProvider(credentials);
        // The ledger write after a delivery is what prevents a re-send: ride out throttling longer
        // than the SDK's default 3 attempts.
        var dynamo = DynamoDbClient.builder().httpClient(http).region(awsRegion).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(LEDGER_MAX_ATTEMPTS)));
        if (endpoints.sqs() != null) {
            sqs.endpointOverride(endpoints.sqs());
        }
        if (endpoints.dynamo() != null) {
            dynamo.endpointOverride(endpoints.dynamo());
        }
        if (endpoints.s3() != null) {
            s3.endpointOverride(endpoints.s3()).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return new AwsClients(sqs.build(), s3.build(), dynamo.build(), http, awsRegion, endpoints, credentials);
    }

    /** EventBridge is needed only where events go to a bus; built on demand, on the common endpoint. */
    public EventBridgeClient eventBridge() {
        var builder = EventBridgeClient.builder().httpClient(http).region(region).credentialsProvider(credentials);
        if (endpoints.secretsManager() != null) {
            builder.endpointOverride(endpoints.secretsManager()); // the common one: LocalStack's
        }
        return builder.build();
    }

    /** Secrets Manager is needed only in relay mode with a secret; built on demand. */
    public SecretsManagerClient secretsManager() {
        var builder = SecretsManagerClient.builder().httpClient(http).region(region).credentialsProvider(credentials);
        if (endpoints.secretsManager() != null) {
            builder.endpointOverride(endpoints.secretsManager());
        }
        return builder.build();
    }
}
