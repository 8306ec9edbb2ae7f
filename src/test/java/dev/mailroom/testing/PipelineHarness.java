package dev.mailroom.testing;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.KeySource;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.handler.DeadLetterHandler;
import dev.mailroom.handler.SendHandler;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.Redrive;
import dev.mailroom.retry.SqsS3DeadLetters;
import dev.mailroom.wiring.DeadLetterWiring;
import dev.mailroom.wiring.SendWiring;
import dev.mailroom.worker.SqsPoller;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole pipeline on the local emulators: a send queue with a redrive policy to its DLQ, the
 * ledger table, the attachment bucket, Mailroom wired from environment variables exactly as in
 * Lambda, and a Lambda-like event source ({@link SqsPoller}) feeding the real {@link SendHandler}.
 * Delivery goes to the test's DNS and SMTP servers.
 */
public final class PipelineHarness implements AutoCloseable {

    public static final String SENDER_DOMAIN = "mailroom.test";

    public final AwsTestStack stack = AwsTestStack.shared();
    public final String queueUrl;
    public final String deadLetterQueueUrl;
    /** Where the harness's functions publish their events (MAILROOM_EVENTS_QUEUE_URL; "" removes it). */
    public final String eventsQueueUrl;
    public final String table;
    public final String bucket;
    public final String archiveBucket;
    public final MailroomConfig config;
    private final AwsClients aws;
    public final SendWiring wiring;
    public final SendHandler handler;
    /** Every log line the pipeline wrote (JSON), in order. */
    public final List<String> logs = new CopyOnWriteArrayList<>();

    /**
     * @param overrides environment variables to add or replace (e.g. MAILROOM_MAX_ATTEMPTS); an empty
     *                  value removes one (MAILROOM_KEYS, say: the harness signs with {@link TestKeys})
     */
    public PipelineHarness(DnsTestServer dns, int smtpPort, Map<String, String> overrides) {
        bucket = stack.uniqueName("attachments");
        stack.s3().createBucket(b -> b.bucket(bucket));
        archiveBucket = stack.uniqueName("archive");
        stack.s3().createBucket(b -> b.bucket(archiveBucket));
        table = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        deadLetterQueueUrl = stack.createQueue(stack.uniqueName("send-dlq"));
        String dlqArn = stack.sqs().getQueueAttributes(b -> b.queueUrl(deadLetterQueueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        int maxReceives = Integer.parseInt(overrides.getOrDefault("TEST_MAX_RECEIVE_COUNT", "20"));
        queueUrl = stack.createQueue(stack.uniqueName("send"), Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, overrides.getOrDefault("TEST_VISIBILITY_TIMEOUT", "30"),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"maxReceiveCount\":\"" + maxReceives + "\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"));
        eventsQueueUrl = stack.createQueue(stack.uniqueName("events"));
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_QUEUE_URL", queueUrl);
        env.put("MAILROOM_EVENTS_QUEUE_URL", eventsQueueUrl);
        env.put("MAILROOM_DLQ_URL", deadLetterQueueUrl);
        env.put("MAILROOM_TABLE", table);
        env.put("MAILROOM_ATTACHMENT_BUCKETS", bucket);
        env.put("MAILROOM_ARCHIVE_BUCKET", archiveBucket);
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", SENDER_DOMAIN);
        env.put("MAILROOM_HELO_NAME", "mailroom.test");
        env.put("MAILROOM_SMTP_PORT", Integer.toString(smtpPort));
        env.put("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dns.port());
        env.put("MAILROOM_DNS_TIMEOUT", "2s");
        env.put("MAILROOM_CONNECT_TIMEOUT", "2s");
        env.put("MAILROOM_READ_TIMEOUT", "5s");
        env.put("MAILROOM_WRITE_TIMEOUT", "5s");
        env.put("MAILROOM_RETRY_INITIAL_DELAY", "1s");
        env.put("MAILROOM_RETRY_MAX_DELAY", "1s");
        env.put("MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString());
        env.put("MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString());
        // Signed as production mail is: TestKeys' pair for the sender domain (records: TestKeys.records).
        env.put("MAILROOM_KEYS", TestKeys.document(SENDER_DOMAIN));
        overrides.forEach((name, value) -> {
            if (KeySource.VARIABLES.contains(name)) {
                KeySource.VARIABLES.forEach(env::remove);
            }
        });
        overrides.forEach((name, value) -> {
            if (name.startsWith("MAILROOM_") && !value.isEmpty()) {
                env.put(name, value);
            } else if (name.startsWith("MAILROOM_")) {
                env.remove(name);
            }
        });
        config = MailroomConfig.from(env);
        aws = AwsClients.create(config.endpoints(), config.region());
        wiring = new SendWiring(config, aws, new JsonLines(logs::add), Clock.systemUTC());
        handler = new SendHandler(wiring.batch(), wiring.clock());
    }

    /** A Lambda-like event source on the send queue; batches get 30 s, as a function timeout. */
    public SqsPoller poller() {
        return new SqsPoller(stack.sqs(), queueUrl, wiring.batch(), Duration.ofSeconds(30), Clock.systemUTC(), wiring.log());
    }

    /** Runs the event source until the send queue holds nothing, deferred messages included. */
    public void drain() {
        poller().runUntilEmpty(1);
    }

    /** The dead-letter function on this pipeline's DLQ, wired as in Lambda (its own role, the same store). */
    public DeadLetterHandler deadLetterHandler() {
        return new DeadLetterHandler(deadLetterRole().batch(), Clock.systemUTC());
    }

    /** A Lambda-like event source on the DLQ, feeding the dead-letter role. */
    public SqsPoller deadLetterPoller() {
        return new SqsPoller(stack.sqs(), deadLetterQueueUrl, deadLetterRole().batch(), Duration.ofSeconds(30),
                Clock.systemUTC(), wiring.log());
    }

    private DeadLetterWiring deadLetterRole() {
        return new DeadLetterWiring(config.store(), aws, new JsonLines(logs::add), Clock.systemUTC());
    }

    /** The DLQ and archive, as the pipeline writes them. */
    public DeadLetters deadLetters() {
        return new SqsS3DeadLetters(stack.sqs(), deadLetterQueueUrl, stack.s3(), archiveBucket, config.archivePrefix(),
                Clock.systemUTC());
    }

    /** An operator's redrive (the client's and the CLI's) on this pipeline. */
    public Redrive redrive() {
        return new Redrive(wiring.ledger(), deadLetters(), stack.sqs(), queueUrl, Clock.systemUTC());
    }

    public String enqueue(String body) {
        return stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)).messageId();
    }

    public void upload(String key, byte[] content) {
        stack.s3().putObject(b -> b.bucket(bucket).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(content));
    }

    public JobRecord job(String jobId) {
        return wiring.ledger().find(jobId).orElseThrow(() -> new AssertionError("no ledger item for " + jobId));
    }

    /** Every event on the events queue now, removed from it, in the order received. */
    public List<PublishedEvents.Event> takeEvents() {
        return PublishedEvents.take(stack.sqs(), eventsQueueUrl);
    }

    /** Everything on the DLQ now, with attributes, removed from it. */
    public List<Message> takeDeadLetters() {
        List<Message> all = new java.util.ArrayList<>();
        while (true) {
            List<Message> batch = stack.sqs().receiveMessage(b -> b.queueUrl(deadLetterQueueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (batch.isEmpty()) {
                return all;
            }
            for (Message message : batch) {
                stack.sqs().deleteMessage(b -> b.queueUrl(deadLetterQueueUrl).receiptHandle(message.receiptHandle()));
            }
            all.addAll(batch);
        }
    }

    /** A v1 job from the allowed sender domain, as JSON; {@code extra} is spliced into the object. */
    public static String job(String jobId, String to, String extra) {
        return "{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"Sender <sender@" + SENDER_DOMAIN + ">\","
                + "\"to\":[\"" + to + "\"],\"subject\":\"Hello\",\"text\":\"Body of " + jobId + "\""
                + (extra == null || extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Override
    public void close() {
        wiring.close();
    }
}
