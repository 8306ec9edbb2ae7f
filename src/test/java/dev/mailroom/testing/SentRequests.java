package dev.mailroom.testing;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Keeps every request an SDK client sends, as it stands once every interceptor has had its say (just
 * before it is marshalled), so that a test pins what was actually asked of the service — a condition
 * expression with its names and values — rather than a template the code is believed to use (as
 * Powertools' DynamoDBPersistenceStoreTest does). One entry per API call: the SDK's retries resend
 * the same request. Thread-safe.
 */
public final class SentRequests implements ExecutionInterceptor {

    private final List<SdkRequest> sent = new CopyOnWriteArrayList<>();

    @Override
    public void beforeMarshalling(Context.BeforeMarshalling context, ExecutionAttributes executionAttributes) {
        sent.add(context.request());
    }

    /** A DynamoDB client to {@code endpoint} (an emulator's) whose every request is kept here; the caller closes it. */
    public DynamoDbClient dynamoClient(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("mailroom-test", "mailroom-test-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(this))
                .build();
    }

    /** Every request sent so far, oldest first. */
    public List<SdkRequest> all() {
        return List.copyOf(sent);
    }

    /** Every request of {@code type} sent so far, oldest first. */
    public <T extends SdkRequest> List<T> all(Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The last request of {@code type} sent; an assertion failure when there was none. */
    public <T extends SdkRequest> T last(Class<T> type) {
        List<T> matching = all(type);
        if (matching.isEmpty()) {
            throw new AssertionError("no " + type.getSimpleName() + " was sent");
        }
        return matching.get(matching.size() - 1);
    }
}
