package dev.mailroom.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.compose.S3AttachmentStore;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.Relay;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.handler.JobProcessor;
import dev.mailroom.handler.QueueControl;
import dev.mailroom.handler.SqsQueueControl;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.observe.Metrics;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.Redrive;
import dev.mailroom.retry.SqsS3DeadLetters;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Everything a Mailroom process needs, wired once from a {@link MailroomConfig}: per Lambda
 * container (outside the handler method) or per worker process. Holds the clients, the resolver
 * cache and the SMTP engine for reuse across invocations.
 */
public final class Mailroom implements AutoCloseable {

    private final MailroomConfig config;
    private final AwsClients aws;
    private final Ledger ledger;
    private final DeadLetters deadLetters;
    private final DeliveryEngine engine;
    private final MessageComposer composer;
    private final JobIntake intake;
    private final JobProcessor processor;
    private final QueueControl queue;
    private final JobLog log;
    private final Clock clock;

    public Mailroom(MailroomConfig config, AwsClients aws, JsonLines out, Clock clock) {
        this.config = config;
        this.aws = aws;
        this.clock = clock;
        this.log = new JobLog(out, clock);
        this.ledger = new DynamoDbLedger(aws.dynamo(), config.table(), config.ledgerRetention());
        this.deadLetters = new SqsS3DeadLetters(aws.sqs(), config.deadLetterQueueUrl(), aws.s3(), config.archiveBucket(),
                config.archivePrefix(), clock);
        this.composer = new MessageComposer(new S3AttachmentStore(aws.s3()), clock);
        this.engine = new DeliveryEngine(withRelayCredentials(config.smtp(), config.relaySecretArn(), aws),
                DnsMxResolver.create(config.dnsServers(), config.dnsTimeout()), composer, clock);
        this.intake = new JobIntake(config.limits(), new SenderPolicy(config.allowedSenderDomains()),
                new HashSet<>(config.attachmentBuckets()));
        this.processor = new JobProcessor(intake, ledger, engine, config.retry(), deadLetters, log,
                new Metrics(out, clock), clock, new SecureRandom(),
                () -> "mailroom-" + UUID.randomUUID(), config.lease());
        this.queue = new SqsQueueControl(aws.sqs(), config.queueUrl());
    }

    /** The production wiring: configuration from the environment, logs to stdout. */
    public static Mailroom fromEnvironment() {
        return from(System.getenv());
    }

    /** The production wiring on these variables (a shell's, for the mailroom command), logs to stdout. */
    public static Mailroom from(Map<String, String> variables) {
        MailroomConfig config = MailroomConfig.from(variables);
        return new Mailroom(config, AwsClients.create(config.endpoints(), config.region()), JsonLines.stdout(),
                Clock.systemUTC());
    }

    // In AWS the relay's credentials live in Secrets Manager, as {"username": ..., "password": ...}.
    private static SmtpSettings withRelayCredentials(SmtpSettings smtp, String secretArn, AwsClients aws) {
        if (secretArn == null) {
            return smtp;
        }
        String secret;
        try (var secrets = aws.secretsManager()) {
            secret = secrets.getSecretValue(b -> b.secretId(secretArn)).secretString();
        }
        try {
            JsonNode json = new ObjectMapper().readTree(secret);
            if (!json.hasNonNull("username") || !json.hasNonNull("password")) {
                throw new ConfigException("MAILROOM_RELAY_SECRET_ARN", "the secret needs username and password fields");
            }
            Relay relay = smtp.relay();
            return smtp.withRelay(new Relay(relay.host(), relay.port(), relay.implicitTls(),
                    json.get("username").asText(), json.get("password").asText()));
        } catch (IOException e) {
            throw new ConfigException("MAILROOM_RELAY_SECRET_ARN", "the secret is not JSON");
        }
    }

    public MailroomConfig config() {
        return config;
    }

    public AwsClients aws() {
        return aws;
    }

    public Ledger ledger() {
        return ledger;
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    public JobProcessor processor() {
        return processor;
    }

    public QueueControl queue() {
        return queue;
    }

    public JobLog log() {
        return log;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Runs a job's code paths without sending or writing anything — intake and composition of a
     * sample job (written to nowhere), and a ledger read of a job that does not exist — so that
     * their classes are loaded and initialised. For SnapStart's before-snapshot hook.
     */
    public void prime() {
        String sender = "priming@" + config.allowedSenderDomains().iterator().next();
        String sample = "{\"version\":1,\"jobId\":\"mailroom-priming\",\"from\":\"Priming <" + sender + ">\","
                + "\"to\":[\"priming@example.invalid\"],\"subject\":\"Priming \u00e9\",\"text\":\"Priming\","
                + "\"html\":\"<p>Priming</p>\",\"headers\":{\"X-Priming\":\"1\"}}";
        IntakeResult result = intake.accept(sample, "mailroom-priming");
        if (!(result instanceof IntakeResult.Accepted accepted)) {
            throw new IllegalStateException("the priming job was refused: " + result);
        }
        try {
            composer.compose(accepted.job()).newInstance(Session.getInstance(new Properties()))
                    .writeTo(OutputStream.nullOutputStream());
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("the priming job could not be composed", e);
        }
        ledger.find("mailroom-priming-" + UUID.randomUUID());
    }

    public Redrive redrive() {
        return new Redrive(ledger, deadLetters, aws.sqs(), config.queueUrl(), clock);
    }

    @Override
    public void close() {
        engine.close();
    }
}
