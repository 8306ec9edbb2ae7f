package dev.mailroom.local;

import dev.mailroom.testing.DynaliteProcess;
import dev.mailroom.testing.S3TestServer;
import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * SQS, S3 and DynamoDB on free loopback ports, without Docker (DESIGN.md §6): ElasticMQ in-process,
 * S3Proxy in-process over an in-memory store ({@link S3TestServer#shared()}), and dynalite as a
 * Node.js 20+ child process. The local stack runs on them, and so do the tests.
 *
 * <p>They accept any credentials. {@link #close()} stops ElasticMQ and dynalite (which a shutdown hook
 * kills otherwise); the S3 server is the JVM's shared one and stays.
 */
public final class Emulators implements AutoCloseable {

    /** The account ElasticMQ puts in queue ARNs. */
    public static final String ACCOUNT_ID = "000000000000";
    public static final String REGION = "us-east-1";

    private final SQSRestServer sqs;
    private final URI sqsEndpoint;
    private final S3TestServer s3;
    private final DynaliteProcess dynalite;

    private Emulators(SQSRestServer sqs, S3TestServer s3, DynaliteProcess dynalite) {
        this.sqs = sqs;
        // Queue URLs name the same port: ElasticMQ derives them from the port it bound.
        this.sqsEndpoint = URI.create("http://127.0.0.1:" + sqs.waitUntilStarted().localAddress().getPort());
        this.s3 = s3;
        this.dynalite = dynalite;
    }

    /**
     * Starts all three, dynalite first: it is the one most likely to fail (no Node.js 20+).
     *
     * @throws IllegalStateException if one of them cannot start; dynalite is stopped again then
     */
    public static Emulators start() {
        DynaliteProcess dynalite = DynaliteProcess.start();
        try {
            return new Emulators(SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                    .withAWSRegion(REGION).withAWSAccountId(ACCOUNT_ID).start(), S3TestServer.shared(), dynalite);
        } catch (RuntimeException e) {
            dynalite.close();
            throw e;
        }
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public URI s3Endpoint() {
        return s3.endpoint();
    }

    public URI dynamoEndpoint() {
        return dynalite.endpoint();
    }

    /** The S3 server, with a client set up as production's. */
    public S3TestServer s3() {
        return s3;
    }

    public DynaliteProcess dynalite() {
        return dynalite;
    }

    @Override
    public void close() {
        sqs.stopAndWait();
        dynalite.close();
    }
}
