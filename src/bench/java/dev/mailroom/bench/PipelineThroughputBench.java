package dev.mailroom.bench;

import dev.mailroom.testing.TestKeys;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.run.BatchDriver;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.run.QueueMessage;
import dev.mailroom.run.RecordStep;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.wiring.SendWiring;
import dev.mailroom.worker.SqsPoller;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Issue §2 (pipeline throughput) and §5 (cost): jobs/s from enqueue to DELIVERED through SQS →
 * the send runner (SendHandler's) → SMTP → ledger on the local emulators (ElasticMQ, dynalite, S3Proxy) into smtp-sink,
 * against a private Postfix instance accepting the same messages from smtp-source and relaying
 * them to the same sink (accept-to-empty-queue time), interleaved round by round. The AWS clients
 * Mailroom is wired with are instrumented ({@link ApiCallCounter}): API calls per job per operation,
 * DynamoDB capacity units per job; the handler's CPU time per job feeds the cost model.
 *
 * <p>Each poller is one Lambda container's worth: its own Mailroom wiring and an {@link SqsPoller}
 * (batches of 10, as Lambda's event source mapping), all on one queue.
 *
 * <p>Arguments (key=value): rounds=3 jobs=500 shapes=1x1,4x1,1x10 (pollers × records in parallel per batch,
 * the latter a bench-only prototype: {@link ParallelRecords}) bytes=10240 postfixSessions=10 postfix=true
 * prototypes= (e.g. nodelay+session: re-run in a JVM with those production patches in front of the class
 * path, {@link NoDelayShadow})
 */
public final class PipelineThroughputBench {

    private static final String SENDER_DOMAIN = "mailroom.test";

    private PipelineThroughputBench() {
    }

    public static void main(String[] argv) {
        try {
            run(argv);
        } catch (Throwable e) {
            // The emulators' threads would keep the JVM alive: fail and end.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] argv) throws Exception {
        Map<String, String> args = BenchSupport.arguments(argv);
        String prototypes = args.getOrDefault("prototypes", "");
        if (!prototypes.isEmpty() && System.getProperty("bench.shadowed") == null) {
            System.exit(relaunchWithShadow(argv, prototypes));
        }
        int rounds = BenchSupport.intArg(args, "rounds", 3);
        int jobs = BenchSupport.intArg(args, "jobs", 500);
        int bytes = BenchSupport.intArg(args, "bytes", 10240);
        int postfixSessions = BenchSupport.intArg(args, "postfixSessions", 10);
        boolean withPostfix = Boolean.parseBoolean(args.getOrDefault("postfix", "true"));
        // POLLERSxPARALLEL: pollers (containers) × records handled at once per batch (MAILROOM_PARALLEL_JOBS).
        List<String> shapes = BenchSupport.listArg(args, "shapes", "1x1,4x1,1x10");
        String variant = prototypes.isEmpty() ? "mailroom" : "mailroom+" + prototypes;
        String machineBefore = BenchSupport.machine();

        AwsTestStack stack = AwsTestStack.shared();
        StringBuilder log = new StringBuilder();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        Map<String, RoundFigures> lastFigures = new LinkedHashMap<>();
        try (PostfixTools.Sink sink = PostfixTools.Sink.start(); DnsTestServer dns = DnsTestServer.start();
             PostfixRelay postfix = withPostfix ? PostfixRelay.start(sink.port) : null) {
            dns.mx(BenchJobs.RECIPIENT_DOMAIN, 10, "mx." + BenchJobs.RECIPIENT_DOMAIN)
                    .a("mx." + BenchJobs.RECIPIENT_DOMAIN, "127.0.0.1");
            Setup setup = Setup.create(stack, dns, sink.port);
            // Warm-up: one small round per poller count, not recorded (JIT, connection pools, DNS cache).
            for (String shape : shapes) {
                runMailroom(setup, pollers(shape), parallel(shape), Math.min(jobs, 100), bytes, "warm" + shape);
            }
            if (postfix != null) {
                runPostfix(postfix, sink, postfixSessions, Math.min(jobs, 100), bytes);
            }
            for (int round = 1; round <= rounds; round++) {
                Double postfixRate = null;
                if (postfix != null) {
                    PostfixFigures figures = runPostfix(postfix, sink, postfixSessions, jobs, bytes);
                    postfixRate = jobs / figures.seconds();
                    rates.computeIfAbsent("postfix (smtp-source s=" + postfixSessions + ")", k -> new ArrayList<>())
                            .add(postfixRate);
                    String line = String.format(Locale.ROOT,
                            "round %d postfix            %7.1f jobs/s  accept %.2f s  accept-to-empty %.2f s  postfix CPU %.2f ms/job  sink CPU %.2f ms/job  load=%s",
                            round, postfixRate, figures.acceptSeconds(), figures.seconds(), figures.cpuMillisPerJob(),
                            figures.sinkCpuMillisPerJob(), BenchSupport.loadAverage());
                    System.out.println(line);
                    log.append(line).append('\n');
                }
                for (String shape : shapes) {
                    RoundFigures figures = runMailroom(setup, pollers(shape), parallel(shape), jobs, bytes,
                            "r" + round + "s" + shape);
                    String key = variant + " pollers=" + pollers(shape) + " parallel=" + parallel(shape);
                    rates.computeIfAbsent(key, k -> new ArrayList<>()).add(figures.rate());
                    lastFigures.put(key, figures);
                    if (postfixRate != null) {
                        ratios.computeIfAbsent(key + " / postfix", k -> new ArrayList<>()).add(figures.rate() / postfixRate);
                    }
                    String line = String.format(Locale.ROOT,
                            "round %d %-18s %7.1f jobs/s  enqueue %.2f s  total %.2f s  handler CPU %.2f ms/job  handler wall %.1f ms/job  records/invocation %.1f  load=%s",
                            round, key, figures.rate(), figures.enqueueSeconds(), figures.seconds(),
                            figures.cpuMillisPerJob(), figures.handlerWallMillisPerJob(), figures.recordsPerInvocation(),
                            BenchSupport.loadAverage());
                    System.out.println(line);
                    log.append(line).append('\n');
                }
            }
            setup.close();
        }
        StringBuilder report = new StringBuilder("# Pipeline throughput (issue §2) and cost (issue §5)\n");
        report.append("machine before: ").append(machineBefore).append('\n');
        report.append("machine after:  ").append(BenchSupport.machine()).append('\n');
        report.append(String.format(Locale.ROOT, "rounds=%d jobs/round=%d body=%d bytes, one recipient, sink=smtp-sink%n%n",
                rounds, jobs, bytes));
        rates.forEach((key, values) -> report.append(String.format(Locale.ROOT, "%-40s median %7.1f jobs/s [%.1f..%.1f]%n",
                key, BenchSupport.median(values), BenchSupport.min(values), BenchSupport.max(values))));
        report.append("\nratios, paired per round (median [min..max]):\n");
        ratios.forEach((key, values) -> report.append(String.format(Locale.ROOT, "%-40s %.2f [%.2f..%.2f]%n", key,
                BenchSupport.median(values), BenchSupport.min(values), BenchSupport.max(values))));
        lastFigures.forEach((key, figures) -> report.append(figures.describe(key, jobs)));
        report.append("\nruns:\n").append(log);
        BenchSupport.writeReport("pipeline", report.toString());
        System.exit(0);
    }

    private static int pollers(String shape) {
        return Integer.parseInt(shape.split("x")[0]);
    }

    private static int parallel(String shape) {
        return Integer.parseInt(shape.split("x")[1]);
    }

    private static int relaunchWithShadow(String[] argv, String prototypes) throws Exception {
        Path shadow = NoDelayShadow.build(Path.of("target/bench/shadow"), List.of(prototypes.split("\\+")));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dbench.shadowed=true",
                "-Dmailroom.dynalite.dir=" + System.getProperty("mailroom.dynalite.dir"),
                "-cp", NoDelayShadow.classPath(shadow), PipelineThroughputBench.class.getName()));
        command.addAll(List.of(argv));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** Queues, table, bucket and the Mailroom configuration, as PipelineHarness sets them up. */
    private record Setup(AwsTestStack stack, Map<String, String> env, MailroomConfig config, String queueUrl,
                         ApiCallCounter handlerCalls, ApiCallCounter eventSourceCalls, SqsClient eventSourceSqs) {

        static Setup create(AwsTestStack stack, DnsTestServer dns, int smtpPort) {
            String bucket = stack.uniqueName("bench-attachments");
            stack.s3().createBucket(b -> b.bucket(bucket));
            String table = stack.uniqueName("bench-ledger");
            LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
            String dlq = stack.createQueue(stack.uniqueName("bench-dlq"));
            String dlqArn = stack.sqs().getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String queueUrl = stack.createQueue(stack.uniqueName("bench-send"), Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, "120",
                    QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"20\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"));
            Map<String, String> env = new HashMap<>();
            env.put("MAILROOM_QUEUE_URL", queueUrl);
            env.put("MAILROOM_DLQ_URL", dlq);
            env.put("MAILROOM_TABLE", table);
            env.put("MAILROOM_ATTACHMENT_BUCKETS", bucket);
            String archive = stack.uniqueName("bench-archive");
            stack.s3().createBucket(b -> b.bucket(archive));
            env.put("MAILROOM_ARCHIVE_BUCKET", archive);
            env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", SENDER_DOMAIN);
            env.put("MAILROOM_KEYS", TestKeys.document(SENDER_DOMAIN));  // signed, as a deployment is
            env.put("MAILROOM_HELO_NAME", "bench.mailroom.test");
            env.put("MAILROOM_SMTP_PORT", Integer.toString(smtpPort));
            env.put("MAILROOM_TLS", "none");
            env.put("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dns.port());
            env.put("MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString());
            env.put("MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString());
            env.put("MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString());
            MailroomConfig config = MailroomConfig.from(env);
            ApiCallCounter eventSource = new ApiCallCounter();
            SqsClient eventSourceSqs = SqsClient.builder().endpointOverride(stack.sqsEndpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(eventSource)).build();
            return new Setup(stack, Map.copyOf(env), config, queueUrl, new ApiCallCounter(), eventSource, eventSourceSqs);
        }

        /** What AwsClients.create builds, plus the counting interceptor on every client. */
        AwsClients instrumentedClients() {
            SdkHttpClient http = UrlConnectionHttpClient.create();
            Region region = Region.of(config.region());
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("mailroom-local", "mailroom-local"));
            SqsClient sqs = SqsClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                    .endpointOverride(config.endpoints().sqs())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(handlerCalls)).build();
            S3Client s3 = S3Client.builder().httpClient(http).region(region).credentialsProvider(credentials)
                    .endpointOverride(config.endpoints().s3()).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .overrideConfiguration(o -> o.addExecutionInterceptor(handlerCalls)).build();
            DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                    .endpointOverride(config.endpoints().dynamo())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(handlerCalls)).build();
            return new AwsClients(sqs, s3, dynamo, http, region, config.endpoints(), credentials);
        }

        /** The configuration with {@code parallel} records handled at once per batch. */
        MailroomConfig config(int parallel) {
            Map<String, String> variables = new HashMap<>(env);
            variables.put("MAILROOM_PARALLEL_JOBS", Integer.toString(parallel));
            return MailroomConfig.from(variables);
        }

        void close() {
            eventSourceSqs.close();
        }
    }

    /** Counts invocations, records and wall time of the batch it wraps (what Lambda bills: the invocation). */
    private static final class Invocations implements BatchHandler {
        final BatchHandler batch;
        final LongAdder invocations = new LongAdder();
        final LongAdder records = new LongAdder();
        final LongAdder wallNanos = new LongAdder();

        Invocations(BatchHandler batch) {
            this.batch = batch;
        }

        @Override
        public List<String> run(List<QueueMessage> messages, Instant end) {
            long wall = System.nanoTime();
            try {
                return batch.run(messages, end);
            } finally {
                wallNanos.add(System.nanoTime() - wall);
                invocations.increment();
                records.add(messages.size());
            }
        }
    }

    /** The CPU time of the thread running each record's step (the batch's or one of its record threads). */
    private static final class CpuMeter implements RecordStep {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        final RecordStep step;
        final LongAdder cpuNanos = new LongAdder();

        CpuMeter(RecordStep step) {
            this.step = step;
        }

        @Override
        public boolean acknowledge(QueueMessage message, Instant end) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            try {
                return step.acknowledge(message, end);
            } finally {
                cpuNanos.add(THREADS.getCurrentThreadCpuTime() - cpu);
            }
        }
    }

    record RoundFigures(int parallel, int jobs, double seconds, double enqueueSeconds, double cpuMillisPerJob,
                        double handlerWallMillisPerJob, double recordsPerInvocation, Map<String, Long> handlerCalls,
                        Map<String, Long> eventSourceCalls, Map<String, Double> handlerCallMillis, double writeUnits,
                        double readUnits) {
        double rate() {
            return jobs / seconds;
        }

        String describe(String key, int jobs) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "%nAWS API calls per delivered job, %s (last round, %d jobs):%n", key, jobs));
            handlerCalls.forEach((op, n) -> out.append(String.format(Locale.ROOT, "  handler      %-32s %6.3f   (%.1f ms each, wall)%n", op,
                    (double) n / jobs, handlerCallMillis.getOrDefault(op, 0.0) / n)));
            eventSourceCalls.forEach((op, n) -> out.append(String.format(Locale.ROOT, "  event source %-32s %6.3f%n", op, (double) n / jobs)));
            out.append(String.format(Locale.ROOT, "  producer     %-32s %6.3f  (SendMessageBatch of 10)%n", "Sqs.SendMessageBatch", 0.1));
            out.append(String.format(Locale.ROOT, "  DynamoDB capacity: %.2f WRU/job, %.2f RRU/job (ReturnConsumedCapacity, as dynalite computes it)%n",
                    writeUnits / jobs, readUnits / jobs));
            out.append(String.format(Locale.ROOT, "  handler CPU %.2f ms/job (calling thread + engine threads), handler wall %.1f ms/job, %.1f records/invocation%n",
                    cpuMillisPerJob, handlerWallMillisPerJob, recordsPerInvocation));
            out.append(costTable());
            return out.toString();
        }

        /** Issue §5: the figures above at AWS list prices, under the assumptions printed with them. */
        String costTable() {
            double sqsPerJob = sqsRequests();
            double wru = writeUnits / jobs;
            double rru = readUnits / jobs;
            double cpuSeconds = cpuMillisPerJob / 1000;
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "  cost per 1M emails (arm64, us-east-1 list prices; SQS %.2f requests/job incl. 64-KiB chunks; no attachment):%n", sqsPerJob));
            double invocations = recordsPerInvocation;
            // A remote MX session is waited for once per record, but records handled in parallel wait together.
            double overlap = Math.max(1, Math.min(parallel, recordsPerInvocation));
            out.append("  ").append(new CostModel(0.5, CostModel.cpuBoundSeconds(cpuSeconds, 512), invocations, sqsPerJob, wru, rru, 0, 0)
                    .row("512 MB, CPU-bound (CPU ÷ 0.29 vCPU)")).append('\n');
            out.append("  ").append(new CostModel(1.769, CostModel.cpuBoundSeconds(cpuSeconds, 1769), invocations, sqsPerJob, wru, rru, 0, 0)
                    .row("1769 MB (1 vCPU), CPU-bound")).append('\n');
            out.append("  ").append(new CostModel(0.5, handlerWallMillisPerJob / 1000, invocations, sqsPerJob, wru, rru, 0, 0)
                    .row("512 MB, wall measured here")).append('\n');
            out.append("  ").append(new CostModel(0.5, handlerWallMillisPerJob / 1000 + 0.3 / overlap, invocations, sqsPerJob, wru, rru, 0, 0)
                    .row("512 MB, + 300 ms remote MX session")).append('\n');
            out.append("  ").append(new CostModel(0.5, handlerWallMillisPerJob / 1000 + 0.3 / overlap, invocations, sqsPerJob, wru, rru, 2, 0)
                    .row("… + one S3 attachment (HEAD + GET)")).append('\n');
            out.append("  ").append(new CostModel(0.5, handlerWallMillisPerJob / 1000 + 1.0 / overlap, invocations, sqsPerJob, wru, rru, 0, 0)
                    .row("512 MB, + 1 s remote MX session (slow MX)")).append('\n');
            return out.toString();
        }

        /** Billed SQS requests per job: every call, with a 10-message batch of ~10 KiB bodies billed per 64 KiB. */
        double sqsRequests() {
            double perJob = 0;
            for (Map<String, Long> calls : List.of(handlerCalls, eventSourceCalls)) {
                for (Map.Entry<String, Long> entry : calls.entrySet()) {
                    if (entry.getKey().startsWith("Sqs.")) {
                        perJob += (double) entry.getValue() / jobs;
                    }
                }
            }
            // ReceiveMessage returning ~10 × 10 KiB and the producer's SendMessageBatch: 2 chunks each per 10 jobs.
            return perJob + 0.1 /* extra chunk on receive */ + 0.2 /* producer batch, 2 chunks */;
        }
    }

    private static RoundFigures runMailroom(Setup setup, int pollers, int parallel, int jobs, int bytes, String prefix)
            throws Exception {
        AtomicLong delivered = new AtomicLong();
        List<Invocations> handlers = new ArrayList<>();
        List<CpuMeter> meters = new ArrayList<>();
        List<SendWiring> wirings = new ArrayList<>();
        List<SqsPoller> pollerList = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            SendWiring wiring = new SendWiring(setup.config(parallel), setup.instrumentedClients(), new JsonLines(line -> {
                if (line.contains("\"job.attempt\"") && line.contains("\"DELIVERED\"")) {
                    delivered.incrementAndGet();
                }
            }), Clock.systemUTC());
            // The wiring's own driver, over its own step, metered.
            CpuMeter meter = new CpuMeter(wiring.step());
            meters.add(meter);
            Invocations handler = new Invocations(new BatchDriver(meter, parallel));
            wirings.add(wiring);
            handlers.add(handler);
            pollerList.add(new SqsPoller(setup.eventSourceSqs(), setup.queueUrl(), handler, Duration.ofSeconds(90),
                    Clock.systemUTC(), wiring.log()));
        }
        setup.handlerCalls().reset();
        setup.eventSourceCalls().reset();
        long engineCpuBefore = engineThreadCpuNanos();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (SqsPoller poller : pollerList) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    poller.pollOnce(1);
                }
            }, "bench-poller");
            thread.start();
            threads.add(thread);
        }
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            bodies.add(BenchJobs.json(prefix + "-" + i, SENDER_DOMAIN, bytes));
        }
        long start = System.nanoTime();
        for (int i = 0; i < jobs; i += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int j = i; j < Math.min(jobs, i + 10); j++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("m" + j).messageBody(bodies.get(j)).build());
            }
            setup.stack().sqs().sendMessageBatch(b -> b.queueUrl(setup.queueUrl()).entries(entries));
        }
        double enqueueSeconds = (System.nanoTime() - start) / 1e9;
        long limit = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (delivered.get() < jobs && System.nanoTime() < limit) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
        if (delivered.get() < jobs) {
            throw new IllegalStateException("only " + delivered.get() + " of " + jobs + " jobs delivered in 10 minutes");
        }
        long engineCpu = engineThreadCpuNanos() - engineCpuBefore;
        long handlerCpu = meters.stream().mapToLong(m -> m.cpuNanos.sum()).sum();
        long handlerWall = handlers.stream().mapToLong(h -> h.wallNanos.sum()).sum();
        long invocations = handlers.stream().mapToLong(h -> h.invocations.sum()).sum();
        long records = handlers.stream().mapToLong(h -> h.records.sum()).sum();
        wirings.forEach(SendWiring::close);
        return new RoundFigures(parallel, jobs, seconds, enqueueSeconds, (handlerCpu + engineCpu) / 1e6 / jobs,
                handlerWall / 1e6 / records, (double) records / invocations, setup.handlerCalls().calls(),
                setup.eventSourceCalls().calls(), setup.handlerCalls().millis(), setup.handlerCalls().writeUnits(),
                setup.handlerCalls().readUnits());
    }

    /** CPU of the engines' SMTP and timer threads (live ones; the pools keep theirs until closed). */
    private static long engineThreadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("mailroom-smtp") || thread.getName().startsWith("mailroom-timer")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    record PostfixFigures(double acceptSeconds, double seconds, double cpuMillisPerJob, double sinkCpuMillisPerJob) {
    }

    private static PostfixFigures runPostfix(PostfixRelay postfix, PostfixTools.Sink sink, int sessions, int jobs,
                                             int bytes) {
        long sentBefore = postfix.sent();
        long cpuBefore = postfix.cpuMillis();
        long sinkCpuBefore = sink.cpuMillis();
        long start = System.nanoTime();
        PostfixTools.SourceRun run = PostfixTools.source(postfix.port, sessions, jobs, bytes, false,
                "bench@" + SENDER_DOMAIN, BenchJobs.RECIPIENT);
        if (run.exitCode() != 0) {
            throw new IllegalStateException("smtp-source into postfix failed: " + run.output());
        }
        long limit = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while ((postfix.queued() > 0 || postfix.sent() - sentBefore < jobs) && System.nanoTime() < limit) {
            PostfixTools.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (postfix.sent() - sentBefore < jobs) {
            throw new IllegalStateException("postfix relayed " + (postfix.sent() - sentBefore) + " of " + jobs);
        }
        return new PostfixFigures(run.seconds(), seconds, (double) (postfix.cpuMillis() - cpuBefore) / jobs,
                (double) (sink.cpuMillis() - sinkCpuBefore) / jobs);
    }
}
