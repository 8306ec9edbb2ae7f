package dev.mailroom.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.config.AwsClients;
import dev.mailroom.config.Mailroom;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.handler.SendHandler;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.worker.SqsPoller;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The one-command local stack: SQS, S3 and DynamoDB emulators, a DNS server for the demo domains
 * and an SMTP catcher that keeps every message as an .eml file; the sample jobs in {@code events/}
 * go through the real send handler via a Lambda-like event source, and each job's final status is
 * printed. With {@code --serve} it keeps running for any AWS client to use.
 *
 * <p>{@code MAILROOM_DNS_SERVERS} and {@code MAILROOM_SMTP_PORT} in the environment point delivery
 * at a real DNS server and SMTP port instead of the built-in ones.
 */
public final class LocalStackMain {

    static final String SENDER_DOMAIN = "example.com";
    static final String BUCKET = "mailroom-attachments";
    static final String ARCHIVE_BUCKET = "mailroom-archive";
    static final List<String> DEMO_DOMAINS = List.of("example.org", "example.net");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Map<String, String> environment;

    LocalStackMain(PrintStream out, Map<String, String> environment) {
        this.out = out;
        this.environment = environment;
    }

    public static void main(String[] args) throws Exception {
        boolean serve = List.of(args).contains("--serve") || List.of(args).contains("--serve=true");
        Path events = Path.of(Optional.ofNullable(System.getProperty("mailroom.events")).orElse("events"));
        new LocalStackMain(System.out, System.getenv()).run(events, serve);
        System.exit(0);
    }

    void run(Path eventsDir, boolean serve) throws Exception {
        step("Starting SQS (ElasticMQ), S3 (S3Proxy) and DynamoDB (dynalite)");
        AwsTestStack stack = AwsTestStack.shared();
        step("Starting DNS for " + String.join(", ", DEMO_DOMAINS) + " and the SMTP catcher");
        Path mailDir = Path.of("target", "local-mail", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try (DnsTestServer dns = DnsTestServer.start();
             SmtpTestServer catcher = SmtpTestServer.builder().bind("127.0.0.1").keepMessagesIn(mailDir).start()) {
            DEMO_DOMAINS.forEach(domain -> dns.mx(domain, 10, "mx.local.test"));
            dns.a("mx.local.test", "127.0.0.1");
            Map<String, String> env = resources(stack, dns, catcher);
            MailroomConfig config = MailroomConfig.from(env);
            List<String> logs = new ArrayList<>();
            try (Mailroom mailroom = new Mailroom(config, AwsClients.create(config.endpoints(), config.region()),
                    new JsonLines(logs::add), Clock.systemUTC())) {
                SqsPoller poller = new SqsPoller(stack.sqs(), config.queueUrl(), new SendHandler(mailroom),
                        Duration.ofMinutes(5), Clock.systemUTC(), mailroom.log());
                Map<String, String> jobs = enqueueSamples(stack, config.queueUrl(), eventsDir);
                step("Delivering " + jobs.size() + " sample jobs through the send handler");
                drain(poller, mailroom, jobs);
                report(mailroom, jobs, mailDir, catcher);
                if (serve) {
                    serve(stack, config, env, poller);
                }
            }
        }
    }

    private Map<String, String> resources(AwsTestStack stack, DnsTestServer dns, SmtpTestServer catcher) {
        String queue = "mailroom-send";
        String dlqUrl = stack.createQueue(queue + "-dlq");
        String dlqArn = stack.sqs().getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = stack.createQueue(queue, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "360",
                QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"20\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"));
        for (String bucket : List.of(BUCKET, ARCHIVE_BUCKET)) {
            if (stack.s3().listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                stack.s3().createBucket(b -> b.bucket(bucket));
            }
        }
        LedgerTable.createIfMissing(stack.dynamo(), "mailroom-ledger", Duration.ofSeconds(30));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MAILROOM_QUEUE_URL", queueUrl);
        env.put("MAILROOM_DLQ_URL", dlqUrl);
        env.put("MAILROOM_TABLE", "mailroom-ledger");
        env.put("MAILROOM_ATTACHMENT_BUCKETS", BUCKET);
        env.put("MAILROOM_ARCHIVE_BUCKET", ARCHIVE_BUCKET);
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", SENDER_DOMAIN);
        env.put("MAILROOM_HELO_NAME", "mailroom.local");
        env.put("MAILROOM_DNS_SERVERS", environment.getOrDefault("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dns.port()));
        env.put("MAILROOM_SMTP_PORT", environment.getOrDefault("MAILROOM_SMTP_PORT", Integer.toString(catcher.port())));
        env.put("MAILROOM_CONNECT_TIMEOUT", "5s");
        env.put("MAILROOM_READ_TIMEOUT", "30s");
        env.put("MAILROOM_RETRY_INITIAL_DELAY", "5s");
        env.put("MAILROOM_RETRY_MAX_DELAY", "30s");
        env.put("MAILROOM_MAX_ATTEMPTS", "3");
        env.put("MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString());
        env.put("MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString());
        return env;
    }

    /** Enqueues every record body of every sample event (but the DLQ's); returns jobId → file. */
    private Map<String, String> enqueueSamples(AwsTestStack stack, String queueUrl, Path eventsDir) throws IOException {
        Map<String, String> jobs = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(eventsDir)) {
            files = listing.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("dlq"))
                    .sorted().toList();
        }
        for (Path file : files) {
            for (JsonNode record : JSON.readTree(file.toFile()).path("Records")) {
                String body = record.path("body").asText();
                uploadReferencedObjects(stack, body);
                String messageId = stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)).messageId();
                jobs.put(jobIdOf(body).orElse(messageId), file.getFileName().toString());
            }
        }
        return jobs;
    }

    /** Sample jobs point at S3 objects; put demo content there so they can be sent. */
    private static void uploadReferencedObjects(AwsTestStack stack, String body) {
        JsonNode job;
        try {
            job = JSON.readTree(body);
        } catch (IOException e) {
            return;
        }
        for (JsonNode attachment : job.path("attachments")) {
            JsonNode s3 = attachment.path("s3");
            if (s3.isObject() && BUCKET.equals(s3.path("bucket").asText())) {
                put(stack, s3.path("key").asText(), ("Demo attachment " + attachment.path("filename").asText() + "\n")
                        .repeat(2_000).getBytes(StandardCharsets.UTF_8));
            }
        }
        JsonNode raw = job.path("raw").path("s3");
        if (raw.isObject() && BUCKET.equals(raw.path("bucket").asText())) {
            put(stack, raw.path("key").asText(), ("From: Example <news@" + SENDER_DOMAIN + ">\r\nTo: reader@example.org\r\n"
                    + "Subject: A message the application built itself\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\nHello from a raw MIME message.\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void put(AwsTestStack stack, String key, byte[] content) {
        stack.s3().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
    }

    private void drain(SqsPoller poller, Mailroom mailroom, Map<String, String> jobs) {
        long done = 0;
        while (done < jobs.size()) {
            poller.pollOnce(1);
            long now = jobs.keySet().stream().filter(id -> mailroom.ledger().find(id)
                    .map(j -> j.status().isTerminal()).orElse(false)).count();
            if (now != done) {
                done = now;
                step("jobs done: " + done + "/" + jobs.size());
            }
        }
    }

    private void report(Mailroom mailroom, Map<String, String> jobs, Path mailDir, SmtpTestServer catcher) {
        out.println();
        jobs.forEach((jobId, file) -> {
            JobRecord job = mailroom.ledger().find(jobId).orElseThrow();
            out.printf("%-28s %-14s attempts=%d  (%s)%n", jobId, job.status(), job.attempts(), file);
            if (job.lastError() != null && job.recipients().isEmpty()) {
                out.println("    reason: " + job.lastError());
            }
            job.recipients().forEach((address, r) -> out.printf("    %-30s %-9s %s %s %s%n", address, r.status(),
                    r.replyCode() == null ? "" : r.replyCode(), r.enhancedCode() == null ? "" : r.enhancedCode(),
                    r.mxHost() == null ? "" : "via " + r.mxHost()));
        });
        out.println();
        out.println(catcher.received().size() + " message(s) caught, as .eml files in " + mailDir.toAbsolutePath());
    }

    private void serve(AwsTestStack stack, MailroomConfig config, Map<String, String> env, SqsPoller poller) {
        out.println();
        out.println("Serving. Any AWS client can use these endpoints (credentials: any):");
        out.println("  SQS       " + stack.sqsEndpoint() + "   send queue: " + config.queueUrl());
        out.println("  S3        " + stack.s3Endpoint() + "   bucket: " + BUCKET);
        out.println("  DynamoDB  " + stack.dynamoEndpoint() + "   ledger table: " + config.table());
        out.println("For the CLI or a worker, export:");
        env.forEach((name, value) -> out.println("  export " + name + "='" + value + "'"));
        out.println("Example: aws --endpoint-url " + stack.sqsEndpoint() + " sqs send-message --queue-url "
                + config.queueUrl() + " --message-body file://job.json");
        out.println("Ctrl-C stops.");
        Runtime.getRuntime().addShutdownHook(new Thread(poller::stop));
        poller.run();
    }

    private static Optional<String> jobIdOf(String body) {
        try {
            JsonNode id = JSON.readTree(body).path("jobId");
            return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void step(String message) {
        out.println("» " + message);
    }
}
