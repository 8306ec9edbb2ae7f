package dev.mailroom.testing;

import dev.mailroom.local.Emulators;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS, DynamoDB and S3 for tests, started once per test JVM on first use (DESIGN.md §6).
 *
 * <p>By default these are Docker-free emulators on free loopback ports: ElasticMQ in-process for
 * SQS, dynalite as a Node.js child process for DynamoDB ({@link DynaliteProcess}), and S3Proxy
 * in-process for S3 ({@link S3TestServer#shared()}). With {@code -Dmailroom.stack=localstack} the
 * same API is backed by one LocalStack container via Testcontainers instead; where Docker is then
 * absent, {@link #shared()} aborts the calling test (JUnit reports it skipped) rather than failing.
 *
 * <p>Nothing is cleaned between tests: name queues, tables and buckets with {@link #uniqueName(String)}.
 */
public final class AwsTestStack {

    /** System property choosing the backend: {@value #LOCALSTACK} or unset for the emulators. */
    public static final String STACK_PROPERTY = "mailroom.stack";
    public static final String LOCALSTACK = "localstack";
    static final String LOCALSTACK_IMAGE = "localstack/localstack:3.8";
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("mailroom-test", "mailroom-test-secret"));
    // Lowercase, digits and '-' only, so that a unique name is valid as a queue, table and bucket name.
    private static final Pattern NAME_PREFIX = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    private static final AtomicLong NAME_COUNTER = new AtomicLong();
    private static final Duration TABLE_ACTIVE_TIMEOUT = Duration.ofSeconds(30);

    private static AwsTestStack shared;
    private static RuntimeException startFailure;
    private static AwsTestStack localStack;

    private final URI sqsEndpoint;
    private final URI dynamoEndpoint;
    private final URI s3Endpoint;
    private final SqsClient sqs;
    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final DynaliteProcess dynalite; // null on LocalStack

    private AwsTestStack(URI sqsEndpoint, URI dynamoEndpoint, URI s3Endpoint, S3Client s3, DynaliteProcess dynalite) {
        this.sqsEndpoint = sqsEndpoint;
        this.dynamoEndpoint = dynamoEndpoint;
        this.s3Endpoint = s3Endpoint;
        this.sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
        this.dynamo = DynamoDbClient.builder().endpointOverride(dynamoEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
        this.s3 = s3;
        this.dynalite = dynalite;
    }

    /**
     * The JVM-wide stack, started on the first call.
     *
     * @throws TestAbortedException  if LocalStack is asked for but Docker is not available
     * @throws IllegalStateException if an emulator cannot start (e.g. no Node.js 20+); later calls rethrow
     */
    public static synchronized AwsTestStack shared() {
        if (startFailure instanceof TestAbortedException aborted) {
            throw new TestAbortedException(aborted.getMessage());
        }
        if (startFailure != null) {
            // Fail every later test fast and alike, instead of starting half a stack again each time.
            throw new IllegalStateException("the AWS test stack failed to start earlier in this JVM: "
                    + startFailure.getMessage(), startFailure);
        }
        if (shared == null) {
            try {
                shared = usesLocalStackProperty() ? startLocalStack() : startEmulators();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /**
     * A LocalStack-backed stack whatever {@value #STACK_PROPERTY} says: the shared one if it is on
     * LocalStack, else a second one started on the first call. For tests that check LocalStack itself.
     *
     * @throws TestAbortedException if Docker is not available
     */
    static synchronized AwsTestStack localStack() {
        if (usesLocalStackProperty()) {
            return shared();
        }
        if (localStack == null) {
            localStack = startLocalStack();
        }
        return localStack;
    }

    /** For {@code @BeforeEach}: starts the stack, or aborts the test (skipped) where its backend cannot run here. */
    public static void assumeAvailable() {
        shared();
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI dynamoEndpoint() {
        return dynamoEndpoint;
    }

    public URI s3Endpoint() {
        return s3Endpoint;
    }

    /** Region us-east-1, static test credentials, the URL-connection HTTP client that production uses. */
    public SqsClient sqs() {
        return sqs;
    }

    /** Region us-east-1, static test credentials, the URL-connection HTTP client that production uses. */
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    /** As {@link #sqs()}, plus path-style addressing and checksums only when required (S3Proxy needs both). */
    public S3Client s3() {
        return s3;
    }

    public boolean usesLocalStack() {
        return dynalite == null;
    }

    /**
     * A name no other test in this JVM gets, valid for a queue, a table and a bucket alike.
     *
     * @param prefix lowercase letters, digits and '-', starting with a letter, at most 40 characters
     */
    public String uniqueName(String prefix) {
        if (!NAME_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("name prefix must match " + NAME_PREFIX + ": " + prefix);
        }
        return prefix + "-" + NAME_COUNTER.incrementAndGet();
    }

    /** Creates a standard queue (or returns the existing one of that name) and returns its URL. */
    public String createQueue(String name) {
        return createQueue(name, Map.of());
    }

    /** Creates a queue with the given attributes, e.g. a {@code RedrivePolicy}, and returns its URL. */
    public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        return sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    /**
     * Polls DescribeTable every 20 ms until the table is ACTIVE. The SDK's waiter is no use against an
     * emulator: its first poll comes after 20 s.
     *
     * @throws IllegalStateException if the table is not ACTIVE within 30 s
     */
    public void awaitTableActive(String tableName) {
        long deadline = System.nanoTime() + TABLE_ACTIVE_TIMEOUT.toNanos();
        while (dynamo.describeTable(b -> b.tableName(tableName)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + tableName + " is not ACTIVE after " + TABLE_ACTIVE_TIMEOUT);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + tableName, e);
            }
        }
    }

    /**
     * Stops and restarts DynamoDB on the same endpoint; every table is gone afterwards. On LocalStack,
     * which cannot restart one service, every table is deleted instead. This affects every test in the
     * JVM: call it only from tests that create their tables afterwards.
     */
    public void restartDynamo() {
        if (dynalite != null) {
            dynalite.restart();
        } else {
            dynamo.listTablesPaginator().tableNames().forEach(table -> dynamo.deleteTable(b -> b.tableName(table)));
        }
    }

    private static boolean usesLocalStackProperty() {
        return LOCALSTACK.equals(System.getProperty(STACK_PROPERTY));
    }

    private static AwsTestStack startEmulators() {
        Emulators emulators = Emulators.start();
        return new AwsTestStack(emulators.sqsEndpoint(), emulators.dynamoEndpoint(), emulators.s3Endpoint(),
                emulators.s3().client(), emulators.dynalite());
    }

    private static AwsTestStack startLocalStack() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new TestAbortedException(STACK_PROPERTY + "=" + LOCALSTACK + " but Docker is not available");
        }
        @SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE))
                .withServices(Service.SQS, Service.S3, Service.DYNAMODB);
        container.start();
        URI endpoint = container.getEndpoint();
        return new AwsTestStack(endpoint, endpoint, endpoint, S3TestServer.client(endpoint), null);
    }
}
