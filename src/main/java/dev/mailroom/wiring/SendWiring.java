package dev.mailroom.wiring;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.compose.S3AttachmentStore;
import dev.mailroom.compose.UnsubscribeLinks;
import dev.mailroom.config.ConfigException;
import dev.mailroom.config.KeySource;
import dev.mailroom.config.MailroomConfig;
import dev.mailroom.config.MailroomConfig.MissingDkimKey;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.intake.IntakeUnavailableException;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.ReturnPaths;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.feedback.SuppressionRules;
import dev.mailroom.events.EventOrigin;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.observe.JobLog;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.observe.Metrics;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.SqsS3DeadLetters;
import dev.mailroom.run.AttemptRules;
import dev.mailroom.run.BatchDriver;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.run.JobProcessor;
import dev.mailroom.run.PrimingJob;
import dev.mailroom.run.SendStep;
import dev.mailroom.run.SqsQueueControl;
import dev.mailroom.run.Stages;
import dev.mailroom.run.Suppressions;
import dev.mailroom.sign.DkimAlgorithm;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimKeyring;
import dev.mailroom.sign.MessageSigning;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The send role, wired once from its {@link MailroomConfig}: per Lambda container (outside the
 * handler method), per worker process, or per local stack. It builds what sending uses — intake,
 * the ledger, composition, the resolver and the SMTP engine, the DLQ — and hands the runners one
 * {@link BatchDriver}; the clients, the resolver cache and the SMTP connections are kept for reuse
 * across invocations.
 *
 * <p>The keys (DKIM, unsubscribe tokens) are read by {@link #loadKeys()}, once: at start by
 * {@link #from}, except while Lambda initializes a SnapStart snapshot, which then holds no private
 * key — the restored container reads them ({@code SnapStartPriming}), and a rotated key reaches every
 * new container without a new version being published.
 */
public final class SendWiring implements AutoCloseable {

    private final MailroomConfig config;
    private final AwsClients aws;
    private final Ledger ledger;
    private final JobIntake intake;
    private final MessageComposer composer;
    private final SendKeysOnce keys;
    private final DeliveryEngine engine;
    private final JobLog log;
    private final Clock clock;
    private final SendStep step;
    private final BatchHandler batch;
    private final Outbox outbox;

    public SendWiring(MailroomConfig config, AwsClients aws, JsonLines out, Clock clock) {
        this.config = config;
        this.aws = aws;
        this.clock = clock;
        this.log = new JobLog(out, clock);
        this.ledger = new DynamoDbLedger(aws.dynamo(), config.table(), config.ledgerRetention());
        DeadLetters deadLetters = new SqsS3DeadLetters(aws.sqs(), config.deadLetterQueueUrl(), aws.s3(),
                config.archiveBucket(), config.archivePrefix(), clock);
        this.keys = new SendKeysOnce(() -> checked(SendKeys.load(config.keys(), aws), config));
        UnsubscribeLinks links = UnsubscribeLinks.readLater(() -> keys.get().unsubscribe(), config.unsubscribeUrl());
        this.composer = new MessageComposer(new S3AttachmentStore(aws.s3()), clock, links);
        MessageSigning signing = new MessageSigning(() -> keys.get().dkim(), clock);
        this.engine = new DeliveryEngine(RelayCredentials.apply(config.smtp(), config.relaySecretArn(), aws),
                DnsMxResolver.create(config.dnsServers(), config.dnsTimeout()), composer, signing, clock);
        Predicate<String> signable = config.missingDkimKey() == MissingDkimKey.UNSIGNED ? domain -> true
                : domain -> withKeys(() -> signing.hasKeyFor(domain));
        this.intake = new JobIntake(config.limits(), new SenderPolicy(config.allowedSenderDomains(), signable),
                new HashSet<>(config.attachmentBuckets()), () -> withKeys(links::support), returnPaths(config, keys));
        this.outbox = EventsWiring.outbox(config.store().events(), aws, ledger,
                EventOrigin.of(config.smtp().heloName()), log, clock);
        JobProcessor processor = new JobProcessor(new Stages(intake, ledger, engine, deadLetters,
                suppressions(config, aws), outbox),
                new AttemptRules(config.retry(), config.lease(), () -> "mailroom-" + UUID.randomUUID(),
                        new SecureRandom(), clock),
                log, new Metrics(out, clock));
        this.step = new SendStep(processor, new SqsQueueControl(aws.sqs(), config.queueUrl()),
                config.smtp().minimumAttemptTime(), log, clock);
        this.batch = new BatchDriver(step, config.parallelJobs());
    }

    /**
     * What intake asks of the keys: a read that fails (a throttled secret, a bad document after a
     * restore) leaves the job unjudged, its message kept for a later attempt, never rejected.
     */
    private static <T> T withKeys(Supplier<T> question) {
        try {
            return question.get();
        } catch (RuntimeException e) {
            throw new IntakeUnavailableException("the keys (" + String.join(", ", KeySource.VARIABLES) + ")", e);
        }
    }

    /** Mailroom's own unsubscribe endpoint puts tokens in its URLs: it needs the keys that sign them. */
    private static SendKeys checked(SendKeys keys, MailroomConfig config) {
        if (config.unsubscribeUrl().isPresent() && keys.unsubscribe().isEmpty()) {
            throw new ConfigException("MAILROOM_UNSUBSCRIBE_URL", "needs unsubscribe keys: an \"unsubscribe\" entry "
                    + "in the key document (" + String.join(", ", KeySource.VARIABLES) + ")");
        }
        if (config.bounceDomain().isPresent() && keys.bounce().isEmpty()) {
            throw new ConfigException("MAILROOM_BOUNCE_DOMAIN", "needs bounce keys: a \"bounce\" entry "
                    + "in the key document (" + String.join(", ", KeySource.VARIABLES) + ")");
        }
        return keys;
    }

    /** VERP return paths when MAILROOM_BOUNCE_DOMAIN names a bounce domain, signed with the bounce keys. */
    private static ReturnPaths returnPaths(MailroomConfig config, SendKeysOnce keys) {
        return config.bounceDomain().map(domain -> new ReturnPaths(domain,
                () -> withKeys(() -> keys.get().bounce().orElseThrow()))).orElse(ReturnPaths.none());
    }

    /** The suppression list when MAILROOM_SUPPRESSION_TABLE names one; else no checks. */
    private static Suppressions suppressions(MailroomConfig config, AwsClients aws) {
        return config.suppressionTable() == null ? Suppressions.none()
                : new Suppressions(new DynamoDbSuppressionList(aws.dynamo(), config.suppressionTable()),
                        SuppressionRules.standard());
    }

    /** The production wiring: configuration from the environment, logs to stdout. */
    public static SendWiring fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * The production wiring on these variables (a shell's, for the mailroom command), logs to stdout;
     * the keys read at once, so that a bad key document fails the start — except in a SnapStart
     * snapshot's initialization ({@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}).
     */
    public static SendWiring from(Map<String, String> variables) {
        MailroomConfig config = MailroomConfig.from(variables);
        SendWiring wiring = new SendWiring(config, AwsClients.create(config.endpoints(), config.region()),
                JsonLines.stdout(), Clock.systemUTC());
        if (!"snap-start".equals(variables.get("AWS_LAMBDA_INITIALIZATION_TYPE"))) {
            wiring.loadKeys();
        }
        return wiring;
    }

    /**
     * Reads the keys where the configuration says (in AWS, one GetSecretValue), unless already read.
     *
     * @throws dev.mailroom.config.ConfigException naming the variable and the entry of a bad document
     */
    public SendKeys loadKeys() {
        return keys.get();
    }

    /** What both runners hand their records to. */
    public BatchHandler batch() {
        return batch;
    }

    /** The per-record step the batch runs, for a runner that drives records itself (the benchmarks meter it). */
    public SendStep step() {
        return step;
    }

    public MailroomConfig config() {
        return config;
    }

    public AwsClients aws() {
        return aws;
    }

    /** Keeps and publishes the events of the ledger's writes; also the worker's sweeper's. */
    public Outbox outbox() {
        return outbox;
    }

    public Ledger ledger() {
        return ledger;
    }

    public JobLog log() {
        return log;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Loads a job's code paths without sending or writing anything, for SnapStart ({@link PrimingJob}):
     * its own intake, which needs no key, and a throwaway key of each algorithm to sign with, made
     * here and dropped — the deployment's keys are not read.
     */
    public void prime() {
        String domain = config.allowedSenderDomains().iterator().next();
        JobIntake unsigned = new JobIntake(config.limits(), new SenderPolicy(config.allowedSenderDomains()),
                new HashSet<>(config.attachmentBuckets()));
        DkimKeyring throwaway = new DkimKeyring(List.of(
                DkimKey.generate(domain, "priming-rsa", DkimAlgorithm.RSA_SHA256, DkimKey.MIN_RSA_BITS),
                DkimKey.generate(domain, "priming-ed25519", DkimAlgorithm.ED25519_SHA256, 0)));
        PrimingJob.run(unsigned, composer, new MessageSigning(() -> throwaway, clock), ledger, domain);
    }

    /** Ends the transactions still running and closes the connections kept for reuse (QUIT). */
    @Override
    public void close() {
        engine.close();
    }
}
