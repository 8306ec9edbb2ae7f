package dev.mailroom.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API in-process: S3Proxy over jclouds' in-memory ("transient") store, on a free
 * loopback port, started once per test JVM (DESIGN.md §6).
 */
public final class S3TestServer {

    private static final String ACCESS_KEY = "mailroom-test";
    private static final String SECRET_KEY = "mailroom-test-secret";
    private static S3TestServer shared;

    private final S3Proxy proxy;
    private final S3Client client;

    private S3TestServer(S3Proxy proxy) {
        this.proxy = proxy;
        this.client = client(endpoint());
    }

    /** The JVM-wide instance, started on first use. */
    public static synchronized S3TestServer shared() {
        if (shared == null) {
            shared = start(null);
        }
        return shared;
    }

    /**
     * @param directory null for the in-memory store; a directory for jclouds' filesystem store,
     *                  which keeps large objects off the heap
     */
    public static S3TestServer start(Path directory) {
        Properties overrides = new Properties();
        ContextBuilder builder;
        if (directory == null) {
            builder = ContextBuilder.newBuilder("transient");
        } else {
            overrides.setProperty("jclouds.filesystem.basedir", directory.toString());
            builder = ContextBuilder.newBuilder("filesystem");
        }
        BlobStoreContext context = builder.credentials("identity", "credential").overrides(overrides)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                // Like the other emulators, accept any credentials: production clients sign with their own.
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
        return new S3TestServer(proxy);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** An SDK client set up the way production talks to an S3-compatible endpoint. */
    public S3Client client() {
        return client;
    }

    public static S3Client client(URI endpoint) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(true)
                // S3Proxy rejects the SDK's default streaming CRC32 uploads.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    public void createBucket(String bucket) {
        if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
            client.createBucket(b -> b.bucket(bucket));
        }
    }

    public void put(String bucket, String key, byte[] content) {
        createBucket(bucket);
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    public void put(String bucket, String key, Path file) {
        createBucket(bucket);
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
    }

    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy", e);
        }
    }
}
