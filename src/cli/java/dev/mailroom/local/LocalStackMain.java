package dev.mailroom.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.aws.AwsEndpoints;
import dev.mailroom.config.KeySource;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.wiring.SendWiring;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The one-command local stack: SQS, S3 and DynamoDB emulators, a DNS server for the demo domains
 * and an SMTP catcher that keeps every message as an .eml file; the sample jobs in {@code events/}
 * go through the real send handler via a Lambda-like event source, and each job's final status is
 * printed. With {@code --serve} it keeps running for any AWS client to use.
 *
 * <p>Every variable of Mailroom's configuration given in the environment overrides the stack's own
 * default for it ({@link #defaults}), but for those naming the stack's resources ({@link StackSettings}).
 */
public final class LocalStackMain {

    static final String SENDER_DOMAIN = "example.com";
    static final String BUCKET = "mailroom-attachments";
    static final String ARCHIVE_BUCKET = "mailroom-archive";
    static final List<String> DEMO_DOMAINS = List.of("example.org", "example.net");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The emulators accept any credentials; the aws CLI only insists that there are some. */
    static final String CLI_CREDENTIALS = "AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local";

    private final PrintStream out;
    private final StackSettings settings;
    private final Clock clock;
    private final String names;
    private final Path mailRoot;

    /**
     * @param environment the variables that override the stack's defaults, {@code System.getenv()} in a real run
     * @param clock       the time the pipeline runs on (the emulators keep their own)
     * @param names       prefix of the queues and the table, so that several runs can share one JVM's emulators
     * @param mailRoot    where each run gets a directory for the messages caught and the log
     * @throws dev.mailroom.config.ConfigException naming a {@code MAILROOM_*} variable the configuration does not know
     */
    public LocalStackMain(PrintStream out, Map<String, String> environment, Clock clock, String names, Path mailRoot) {
        this.out = out;
        this.settings = StackSettings.from(environment);
        this.clock = clock;
        this.names = names;
        this.mailRoot = mailRoot;
    }

    public static void main(String[] args) throws Exception {
        boolean serve = List.of(args).contains("--serve") || List.of(args).contains("--serve=true");
        Path events = Path.of(Optional.ofNullable(System.getProperty("mailroom.events")).orElse("events"));
        new LocalStackMain(System.out, System.getenv(), Clock.systemUTC(), "mailroom", Path.of("target", "local-mail"))
                .run(events, serve);
        System.exit(0);
    }

    /**
     * Runs the sample jobs of {@code eventsDir} (SQS event files, as {@code events/} holds) and prints
     * how each ended; with {@code serve}, keeps the stack and a poller running until the JVM stops.
     */
    public void run(Path eventsDir, boolean serve) throws Exception {
        step("Starting SQS (ElasticMQ), S3 (S3Proxy) and DynamoDB (dynalite)");
        Path runDir = mailRoot.resolve(LocalDateTime.now(clock).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        step("Starting DNS for " + String.join(", ", DEMO_DOMAINS) + " and the SMTP catcher");
        try (Emulators emulators = Emulators.start();
             DnsTestServer dns = DnsTestServer.start();
             SmtpTestServer catcher = SmtpTestServer.builder().bind("127.0.0.1").keepMessagesIn(runDir).start()) {
            AwsClients aws = AwsClients.create(new AwsEndpoints(emulators.sqsEndpoint(), emulators.s3Endpoint(),
                    emulators.dynamoEndpoint(), null), Emulators.REGION);
            S3Client s3 = emulators.s3().client();
            DEMO_DOMAINS.forEach(domain -> dns.mx(domain, 10, "mx.local.test"));
            dns.a("mx.local.test", "127.0.0.1");
            Map<String, String> env = settings.configuration(resources(emulators, aws), defaults(dns, catcher));
            Files.createDirectories(runDir);
            signWithDemoKeys(env, dns, runDir);
            MailroomConfig config = MailroomConfig.from(env);
            step("Sender domains allowed (MAILROOM_ALLOWED_SENDER_DOMAINS): "
                    + String.join(", ", config.allowedSenderDomains()));
            settings.notes(env).forEach(this::step);
            Path logFile = runDir.resolve("mailroom.log");
            try (PrintStream logs = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8);
                 SendWiring mailroom = new SendWiring(config, AwsClients.create(config.endpoints(), config.region()),
                         new JsonLines(logs::println), clock)) {
                step("Mailroom's JSON log lines go to " + logFile.toAbsolutePath());
                SqsPoller poller = new SqsPoller(aws.sqs(), config.queueUrl(), mailroom.batch(),
                        Duration.ofMinutes(5), clock, mailroom.log());
                Map<String, String> jobs = enqueueSamples(aws.sqs(), s3, config.queueUrl(), eventsDir);
                step("Delivering " + jobs.size() + " sample jobs through the send function's runner");
                drain(poller, mailroom, jobs);
                report(mailroom, jobs, runDir, catcher);
                reportEvents(aws.sqs(), config.store().events().queueUrl().orElseThrow(), runDir);
                if (serve) {
                    serve(emulators, dns, config, env, poller);
                }
            }
        }
    }

    /** Creates the queues, buckets and tables (ledger, suppression list); returns the variables that name them. */
    private Map<String, String> resources(Emulators emulators, AwsClients aws) {
        SqsClient sqs = aws.sqs();
        String dlqUrl = sqs.createQueue(b -> b.queueName(names + "-send-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = sqs.createQueue(b -> b.queueName(names + "-send").attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "360", QueueAttributeName.REDRIVE_POLICY,
                "{\"maxReceiveCount\":\"20\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"))).queueUrl();
        List.of(BUCKET, ARCHIVE_BUCKET).forEach(emulators.s3()::createBucket);
        String table = names + "-ledger";
        LedgerTable.createIfMissing(aws.dynamo(), table, Duration.ofSeconds(30));
        String suppressionTable = names + "-suppression";
        SuppressionTable.createIfMissing(aws.dynamo(), suppressionTable, Duration.ofSeconds(30));
        Map<String, String> env = new LinkedHashMap<>();
        String eventsUrl = sqs.createQueue(b -> b.queueName(names + "-events")).queueUrl();
        env.put("MAILROOM_QUEUE_URL", queueUrl);
        env.put("MAILROOM_DLQ_URL", dlqUrl);
        env.put("MAILROOM_EVENTS_QUEUE_URL", eventsUrl);
        env.put("MAILROOM_TABLE", table);
        env.put("MAILROOM_SUPPRESSION_TABLE", suppressionTable);
        env.put("MAILROOM_ATTACHMENT_BUCKETS", BUCKET);
        env.put("MAILROOM_ARCHIVE_BUCKET", ARCHIVE_BUCKET);
        env.put("MAILROOM_SQS_ENDPOINT", emulators.sqsEndpoint().toString());
        env.put("MAILROOM_S3_ENDPOINT", emulators.s3Endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", emulators.dynamoEndpoint().toString());
        return env;
    }

    /** What the stack sets beyond its resources, each overridable from the environment. */
    static Map<String, String> defaults(DnsTestServer dns, SmtpTestServer catcher) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", SENDER_DOMAIN);
        env.put("MAILROOM_HELO_NAME", "mailroom.local");
        env.put("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dns.port());
        env.put("MAILROOM_SMTP_PORT", Integer.toString(catcher.port()));
        env.put("MAILROOM_CONNECT_TIMEOUT", "5s");
        env.put("MAILROOM_READ_TIMEOUT", "30s");
        env.put("MAILROOM_RETRY_INITIAL_DELAY", "5s");
        env.put("MAILROOM_RETRY_MAX_DELAY", "30s");
        env.put("MAILROOM_MAX_ATTEMPTS", "3");
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    /** Enqueues every record body of every sample event (but the DLQ's); returns jobId → file. */
    private Map<String, String> enqueueSamples(SqsClient sqs, S3Client s3, String queueUrl, Path eventsDir) throws IOException {
        Map<String, String> jobs = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(eventsDir)) {
            files = listing.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("dlq"))
                    .sorted().toList();
        }
        for (Path file : files) {
            for (JsonNode record : JSON.readTree(file.toFile()).path("Records")) {
                String body = record.path("body").asText();
                uploadReferencedObjects(s3, body);
                String messageId = sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)).messageId();
                jobs.put(jobIdOf(body).orElse(messageId), file.getFileName().toString());
            }
        }
        return jobs;
    }

    /** Sample jobs point at S3 objects; put demo content there so they can be sent. */
    private static void uploadReferencedObjects(S3Client s3, String body) {
        JsonNode job;
        try {
            job = JSON.readTree(body);
        } catch (IOException e) {
            return;
        }
        for (JsonNode attachment : job.path("attachments")) {
            JsonNode location = attachment.path("s3");
            if (location.isObject() && BUCKET.equals(location.path("bucket").asText())) {
                put(s3, location.path("key").asText(), ("Demo attachment " + attachment.path("filename").asText() + "\n")
                        .repeat(2_000).getBytes(StandardCharsets.UTF_8));
            }
        }
        JsonNode raw = job.path("raw").path("s3");
        if (raw.isObject() && BUCKET.equals(raw.path("bucket").asText())) {
            put(s3, raw.path("key").asText(), ("From: Example <news@" + SENDER_DOMAIN + ">\r\nTo: reader@example.org\r\n"
                    + "Subject: A message the application built itself\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\nHello from a raw MIME message.\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void put(S3Client s3, String key, byte[] content) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
    }

    private void drain(SqsPoller poller, SendWiring mailroom, Map<String, String> jobs) {
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

    private void report(SendWiring mailroom, Map<String, String> jobs, Path runDir, SmtpTestServer catcher) {
        out.println();
        jobs.forEach((jobId, file) -> LocalReport.print(out, mailroom.ledger().find(jobId).orElseThrow(), file));
        out.println();
        out.println(catcher.received().size() + " message(s) caught, as .eml files in " + runDir.toAbsolutePath());
    }

    /**
     * The events the run published, as a consumer of the events queue receives them: one line each,
     * and all of them in {@code events.jsonl}. Received, not deleted: they are back on the queue for
     * another consumer once their visibility timeout (30 s) has passed.
     */
    private void reportEvents(SqsClient sqs, String eventsUrl, Path runDir) throws IOException {
        List<JsonNode> events = new java.util.ArrayList<>();
        List<String> lines = new java.util.ArrayList<>();
        while (true) {
            var batch = sqs.receiveMessage(b -> b.queueUrl(eventsUrl).maxNumberOfMessages(10).waitTimeSeconds(0))
                    .messages();
            int before = events.size();
            for (var message : batch) {
                if (lines.contains(message.body())) {
                    continue;
                }
                lines.add(message.body());
                events.add(JSON.readTree(message.body()));
            }
            if (events.size() == before) {
                break;
            }
        }
        Path file = runDir.resolve("events.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        out.println(events.size() + " event(s) on the events queue (" + eventsUrl + "), SES's shape, each also in "
                + file.toAbsolutePath() + ":");
        events.forEach(event -> out.printf("    %-14s %-28s %s%n", event.path("eventType").asText(),
                event.at("/mail/tags/mailroom:job-id/0").asText(), eventSubject(event)));
    }

    /** Whom an event is about, as its type's object says. */
    private static String eventSubject(JsonNode event) {
        return switch (event.path("eventType").asText()) {
            case "Delivery" -> event.at("/delivery/recipients/0").asText() + " " + event.at("/delivery/smtpResponse").asText();
            case "DeliveryDelay" -> event.at("/deliveryDelay/delayedRecipients/0/emailAddress").asText();
            case "Bounce" -> event.at("/bounce/bouncedRecipients/0/emailAddress").asText() + " "
                    + event.at("/bounce/bounceType").asText() + "/" + event.at("/bounce/bounceSubType").asText();
            case "Complaint" -> event.at("/complaint/complainedRecipients/0/emailAddress").asText();
            default -> String.join(", ", JSON.convertValue(event.at("/mail/destination"), String[].class));
        };
    }

    /**
     * Unless the environment names keys of its own, the run signs with demo keys made for it, and its
     * DNS serves their records, so that any DKIM verifier pointed at it can check the caught mail.
     */
    private void signWithDemoKeys(Map<String, String> env, DnsTestServer dns, Path runDir) throws IOException {
        if (KeySource.VARIABLES.stream().anyMatch(env::containsKey)) {
            return;
        }
        List<String> domains = List.of(env.get("MAILROOM_ALLOWED_SENDER_DOMAINS").split("\\s*,\\s*"));
        DemoKeys demo = DemoKeys.write(runDir.resolve("dkim"), domains.stream().filter(d -> !d.isBlank()).toList());
        demo.keys().forEach(key -> dns.txt(key.dnsName(), key.dnsRecord()));
        env.put("MAILROOM_KEYS_FILE", demo.document().toAbsolutePath().toString());
        step("DKIM: signing with keys made for this run (" + demo.document().toAbsolutePath() + "); DNS at 127.0.0.1:"
                + dns.port() + " serves " + String.join(", ", demo.keys().stream().map(DkimKey::dnsName).toList()));
    }

    private void serve(Emulators emulators, DnsTestServer dns, MailroomConfig config, Map<String, String> env,
                       SqsPoller poller) {
        out.println();
        out.println("Serving. Any AWS client can use these endpoints (region " + config.region() + ", any credentials):");
        out.println("  SQS       " + emulators.sqsEndpoint() + "   send queue: " + config.queueUrl());
        out.println("  S3        " + emulators.s3Endpoint() + "   bucket: " + BUCKET);
        out.println("  DynamoDB  " + emulators.dynamoEndpoint() + "   ledger table: " + config.table());
        out.println("  DNS       127.0.0.1:" + dns.port() + " (UDP and TCP)   MX of " + String.join(", ", DEMO_DOMAINS)
                + ", DKIM records of the demo keys: e.g. dig @127.0.0.1 -p " + dns.port() + " TXT "
                + DemoKeys.RSA_SELECTOR + "._domainkey." + config.allowedSenderDomains().iterator().next());
        out.println("For the mailroom command or a worker, export (passwords stay as your environment has them):");
        env.forEach((name, value) -> {
            if (!StackSettings.isSecret(name)) {
                out.println("  export " + name + "='" + value + "'");
            }
        });
        String sender = "hello@" + config.allowedSenderDomains().iterator().next();
        out.println("then: mailroom send --from " + sender + " --to ann@" + DEMO_DOMAINS.get(0)
                + " --subject Hi --text Hello   and   mailroom status <the job id it prints>");
        out.println("Or with the aws CLI, as it can be pasted (the emulators take any credentials):");
        out.println("  " + CLI_CREDENTIALS + " aws --region " + config.region() + " --endpoint-url " + emulators.sqsEndpoint()
                + " sqs send-message --queue-url " + config.queueUrl() + " --message-body '" + exampleJob(sender) + "'");
        out.println("Ctrl-C stops.");
        Runtime.getRuntime().addShutdownHook(new Thread(poller::stop));
        poller.run();
    }

    /** A job any allowed sender can send to a demo domain, as one line of JSON for a shell's single quotes. */
    static String exampleJob(String sender) {
        return "{\"version\":1,\"from\":\"" + sender + "\",\"to\":[\"ann@" + DEMO_DOMAINS.get(0)
                + "\"],\"subject\":\"Hi\",\"text\":\"Hello from the aws CLI\"}";
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
