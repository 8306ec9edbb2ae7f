package dev.mailroom.reliability;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.EventsConfig;
import dev.mailroom.config.StoreConfig;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.TestKeys;
import dev.mailroom.wiring.EventSweepWiring;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The pipeline of the reliability tests, every outside system on loopback and every one of them
 * able to misbehave: SQS (ElasticMQ behind a {@link FaultHttpProxy}, short visibility timeout; the
 * workers publish their delivery events to its events queue), DynamoDB (dynalite behind another),
 * S3 (S3Proxy behind a third), DNS ({@code DnsTestServer} behind a
 * {@link FaultDnsProxy}), and the receiving MX hosts ({@link SmtpTestServer}s on 127.0.0.2, .3, .4
 * sharing one port, drawing {@link RandomSmtpFaults} and keeping only each message's header block).
 * Workers run as child JVMs ({@link WorkerProcess}) configured by environment variables, exactly as
 * a deployed worker is.
 *
 * <p>The zone: {@code alpha.test} → 127.0.0.2, {@code beta.test} → 127.0.0.3, {@code gamma.test} →
 * 127.0.0.4, {@code delta.test} → MX 10 gamma's host, MX 20 alpha's host (a 421 greeting at the first
 * falls through to the second), {@code nullmx.test} → null MX (RFC 7505: permanent failure).
 * Records have a 3 s TTL, so workers keep asking and DNS faults keep landing.
 */
final class ReliabilityRig implements AutoCloseable {

    static final List<String> MX_ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    static final String SENDER = "Reliability <sender@" + PipelineHarness.SENDER_DOMAIN + ">";

    /** How the rig misbehaves and how its workers are configured. */
    static final class Options {
        long seed = 1;
        IntFunction<SmtpTestServerFaults> smtpFaults = i -> RandomSmtpFaults.none();
        SmtpTestServer.Phases phases = SmtpTestServer.Phases.NONE;
        int smtpServers = MX_ADDRESSES.size();
        double dnsServerFailureRate;
        double dnsDropRate;
        FaultHttpProxy.FaultPolicy s3Policy = request -> null;
        FaultHttpProxy.FaultPolicy dynamoPolicy = request -> null;
        /** Every SQS request of the workers: the send queue's, the DLQ's, the events queue's. */
        FaultHttpProxy.FaultPolicy sqsPolicy = request -> null;
        int visibilityTimeoutSeconds = 2;
        int maxReceiveCount = 1_000;
        int leaseSeconds = 15;
        int batchTimeoutSeconds = 14;
        String readTimeout = "4s";
        int maxAttempts = 40;
        /** MAILROOM_PARALLEL_JOBS of the workers. */
        int parallelJobs = 10;
    }

    final Options options;
    final List<SmtpTestServer> smtp = new ArrayList<>();
    final DeliveredCopies copies = new DeliveredCopies(smtp);
    final DnsTestServer dns;
    final FaultDnsProxy dnsProxy;
    final PipelineHarness pipeline;
    final FaultHttpProxy s3Proxy;
    final FaultHttpProxy dynamoProxy;
    final FaultHttpProxy sqsProxy;
    final Path logDirectory;
    final WorkerLaunch launch;
    private final List<WorkerProcess> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerCount = new AtomicInteger();

    ReliabilityRig(String name, Options options) {
        this.options = options;
        this.dns = DnsTestServer.start();
        dns.ttl(3);
        dns.mx("alpha.test", 10, "mx.alpha.test").a("mx.alpha.test", MX_ADDRESSES.get(0));
        dns.mx("beta.test", 10, "mx.beta.test").a("mx.beta.test", MX_ADDRESSES.get(1));
        dns.mx("gamma.test", 10, "mx.gamma.test").a("mx.gamma.test", MX_ADDRESSES.get(2));
        dns.mx("delta.test", 10, "mx.gamma.test").mx("delta.test", 20, "mx.alpha.test");
        dns.nullMx("nullmx.test");
        this.dnsProxy = FaultDnsProxy.start(dns.address(), options.dnsServerFailureRate, options.dnsDropRate,
                options.seed ^ 0xD15);
        int port = 0;
        for (int i = 0; i < options.smtpServers; i++) {
            String address = MX_ADDRESSES.get(i);
            SmtpTestServer server = SmtpTestServer.builder().bind(address).port(port)
                    .hostName("mx-" + address + ".reliability.test").idleTimeout(Duration.ofSeconds(30))
                    .maxConnections(500).discardMessages().faults(options.smtpFaults.apply(i))
                    .phases(options.phases).start();
            port = server.port();
            smtp.add(server);
        }
        this.pipeline = new PipelineHarness(dns, port, Map.of(
                "TEST_VISIBILITY_TIMEOUT", Integer.toString(options.visibilityTimeoutSeconds),
                "TEST_MAX_RECEIVE_COUNT", Integer.toString(options.maxReceiveCount)));
        this.s3Proxy = FaultHttpProxy.start(pipeline.stack.s3Endpoint(), options.s3Policy);
        this.dynamoProxy = FaultHttpProxy.start(pipeline.stack.dynamoEndpoint(), options.dynamoPolicy);
        this.sqsProxy = FaultHttpProxy.start(pipeline.stack.sqsEndpoint(), options.sqsPolicy);
        this.logDirectory = Path.of("target", "reliability", name + "-" + System.currentTimeMillis());
        try {
            Files.createDirectories(logDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.launch = WorkerLaunch.prepare(() -> warmUpEnvironment(), Path.of("target", "reliability", "launch"));
    }

    /** The environment of a worker process, as a deployment would set it. */
    Map<String, String> workerEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_QUEUE_URL", pipeline.queueUrl);
        env.put("MAILROOM_DLQ_URL", pipeline.deadLetterQueueUrl);
        env.put(EventsConfig.QUEUE_VARIABLE, pipeline.eventsQueueUrl);
        env.put("MAILROOM_TABLE", pipeline.table);
        env.put("MAILROOM_ATTACHMENT_BUCKETS", pipeline.bucket);
        env.put("MAILROOM_ARCHIVE_BUCKET", pipeline.archiveBucket);
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", PipelineHarness.SENDER_DOMAIN);
        env.put("MAILROOM_KEYS", TestKeys.document(PipelineHarness.SENDER_DOMAIN));  // signed, as a deployment is
        env.put("MAILROOM_SMTP_PORT", Integer.toString(smtp.get(0).port()));
        env.put("MAILROOM_TLS", "none");
        env.put("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dnsProxy.port());
        env.put("MAILROOM_DNS_TIMEOUT", "1s");
        env.put("MAILROOM_CONNECT_TIMEOUT", "1s");
        env.put("MAILROOM_READ_TIMEOUT", options.readTimeout);
        env.put("MAILROOM_WRITE_TIMEOUT", options.readTimeout);
        env.put("MAILROOM_RETRY_INITIAL_DELAY", "1s");
        env.put("MAILROOM_RETRY_MAX_DELAY", "2s");
        env.put("MAILROOM_MAX_ATTEMPTS", Integer.toString(options.maxAttempts));
        env.put("MAILROOM_LEASE", options.leaseSeconds + "s");
        env.put("MAILROOM_PARALLEL_JOBS", Integer.toString(options.parallelJobs));
        env.put("MAILROOM_SQS_ENDPOINT", sqsProxy.endpoint().toString());
        env.put("MAILROOM_S3_ENDPOINT", s3Proxy.endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", dynamoProxy.endpoint().toString());
        env.put("AWS_REGION", "us-east-1");
        env.put(ChildWorkerMain.BATCH_TIMEOUT_VARIABLE, Integer.toString(options.batchTimeoutSeconds));
        return env;
    }

    /**
     * A worker environment whose queue holds one job, for the class-sharing warm-up run; with a table and
     * an events queue of its own, so that nothing of it shows in the run's ledger or events.
     */
    private Map<String, String> warmUpEnvironment() {
        String queue = pipeline.stack.createQueue(pipeline.stack.uniqueName("warm-up"));
        String table = pipeline.stack.uniqueName("warm-up-ledger");
        LedgerTable.createIfMissing(pipeline.stack.dynamo(), table, Duration.ofSeconds(30));
        pipeline.stack.sqs().sendMessage(b -> b.queueUrl(queue).messageBody("{\"version\":1,\"jobId\":\"warm-up\","
                + "\"from\":\"" + SENDER + "\",\"to\":[\"warm-up@alpha.test\"],\"subject\":\"Warm-up\","
                + "\"text\":\"Warm-up\",\"headers\":{\"" + DeliveredCopies.JOB_HEADER + "\":\"warm-up\"}}"));
        Map<String, String> env = workerEnvironment();
        env.put("MAILROOM_QUEUE_URL", queue);
        env.put("MAILROOM_TABLE", table);
        env.put(EventsConfig.QUEUE_VARIABLE, pipeline.stack.createQueue(pipeline.stack.uniqueName("warm-up-events")));
        return env;
    }

    /** Starts a worker process named {@code worker-<n>}. */
    WorkerProcess startWorker() {
        return startWorker(ChildWorkerMain.class.getName(), workerEnvironment());
    }

    /** Starts a worker process named {@code worker-<n>} running {@code mainClass} with {@code env}. */
    WorkerProcess startWorker(String mainClass, Map<String, String> env) {
        WorkerProcess worker = WorkerProcess.start("worker-" + workerCount.incrementAndGet(), mainClass, launch, env,
                logDirectory);
        workers.add(worker);
        return worker;
    }

    List<WorkerProcess> workers() {
        return List.copyOf(workers);
    }

    Optional<WorkerProcess> workerByHelo(String helo) {
        return workers.stream().filter(w -> w.helo().equalsIgnoreCase(helo)).findFirst();
    }

    /** Nothing visible, in flight or delayed on the send queue: no job has work left. */
    boolean queueEmpty() {
        Map<QueueAttributeName, String> attributes = pipeline.stack.sqs().getQueueAttributes(b -> b
                .queueUrl(pipeline.queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().allMatch("0"::equals);
    }

    /** Sends job bodies in batches of 10. */
    void enqueue(List<String> bodies) {
        for (int from = 0; from < bodies.size(); from += 10) {
            List<String> batch = bodies.subList(from, Math.min(bodies.size(), from + 10));
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i)).messageBody(batch.get(i)).build());
            }
            var response = pipeline.stack.sqs().sendMessageBatch(b -> b.queueUrl(pipeline.queueUrl).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("SQS refused messages: " + response.failed());
            }
        }
    }

    Optional<JobRecord> ledger(String jobId) {
        return pipeline.wiring.ledger().find(jobId);
    }

    /**
     * Runs the event sweeper once, as EventSweepFunction does (its own wiring, {@link EventSweepWiring}),
     * straight at the emulators: no proxy, no fault. Its log goes to {@code sweep.log}.
     *
     * @return the events it published: what no flush had published
     */
    int sweepEvents() throws IOException {
        Map<String, String> env = Map.of("MAILROOM_DLQ_URL", pipeline.deadLetterQueueUrl,
                "MAILROOM_TABLE", pipeline.table, "MAILROOM_ARCHIVE_BUCKET", pipeline.archiveBucket,
                EventsConfig.QUEUE_VARIABLE, pipeline.eventsQueueUrl,
                "MAILROOM_SQS_ENDPOINT", pipeline.stack.sqsEndpoint().toString(),
                "MAILROOM_DYNAMODB_ENDPOINT", pipeline.stack.dynamoEndpoint().toString(),
                "MAILROOM_S3_ENDPOINT", pipeline.stack.s3Endpoint().toString(), "AWS_REGION", "us-east-1");
        StoreConfig config = StoreConfig.from(env);
        AwsClients aws = AwsClients.create(config.endpoints(), config.region());
        List<String> log = new CopyOnWriteArrayList<>();
        try {
            return new EventSweepWiring(config, aws, new JsonLines(log::add), Clock.systemUTC()).outbox().sweep();
        } finally {
            Files.write(logDirectory.resolve("sweep.log"), log);
            aws.sqs().close();
            aws.dynamo().close();
            aws.s3().close();
            aws.http().close();
        }
    }

    /** Every message on the events queue now, removed from it; listed in {@code events.tsv}, in the order received. */
    List<EventAudit.Published> takeEvents() throws IOException {
        List<EventAudit.Published> events = EventAudit.take(pipeline.stack.sqs(), pipeline.eventsQueueUrl);
        Files.write(logDirectory.resolve("events.tsv"), events.stream().map(e -> String.join("\t", e.eventId(),
                e.eventType(), String.valueOf(e.jobId()), String.valueOf(e.recipient()))).toList());
        return events;
    }

    /** CPU time this (test) JVM has used so far, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Override
    public void close() {
        workers.forEach(w -> {
            if (w.isAlive()) {
                w.kill();
            }
        });
        s3Proxy.close();
        dynamoProxy.close();
        sqsProxy.close();
        pipeline.close();
        smtp.forEach(SmtpTestServer::close);
        dnsProxy.close();
        dns.close();
    }
}
