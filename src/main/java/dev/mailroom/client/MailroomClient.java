package dev.mailroom.client;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.retry.ArchiveLayout;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.Redrive;
import dev.mailroom.retry.SqsS3DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What a cloud application needs from Mailroom: send an {@link Email} (attachments to S3, the job on
 * the send queue), follow its {@link SendStatus} in the ledger, look after {@link DeadLetter}s, and
 * keep the suppression list ({@link SuppressionEntry}).
 *
 * <p>Its public API is this class, {@link ClientSettings}, {@link Email} and the values it takes and
 * returns ({@link SendStatus}, {@link DeadLetter}, {@link SuppressionEntry}) and throws ({@link MissingSettingException},
 * {@link MessageTooLargeException}): the client's own types. It writes the send job of contract v1
 * (DESIGN.md §2) and reads the ledger and the dead-letter archive by the service's own definitions of
 * them, so it always agrees with the deployment it talks to; none of those definitions is part of
 * this API.
 *
 * <p>The client uses the AWS clients it is given and never closes them. Thread-safe, as they are.
 * AWS failures surface as the SDK's unchecked exceptions; unreadable files as
 * {@link java.io.UncheckedIOException}; a setting an operation needs but was not given as
 * {@link MissingSettingException}.
 */
public final class MailroomClient {

    /** SQS's largest message body (all of it counts, in UTF-8). */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;
    /** The ledger's TTL for finished jobs; the one write this client makes (a redrive's reset) sets none. */
    private static final Duration LEDGER_RETENTION = Duration.ofDays(30);

    private final SqsClient sqs;
    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final ClientSettings settings;
    private final Clock clock;
    private final S3Uploader uploader;

    public MailroomClient(SqsClient sqs, S3Client s3, DynamoDbClient dynamo, ClientSettings settings, Clock clock) {
        this.sqs = sqs;
        this.s3 = s3;
        this.dynamo = dynamo;
        this.settings = settings;
        this.clock = clock;
        this.uploader = new S3Uploader(s3);
    }

    /** A client over the service's own client wiring ({@link AwsClients#create}), on the system clock. */
    public static MailroomClient create(AwsClients aws, ClientSettings settings) {
        return new MailroomClient(aws.sqs(), aws.s3(), aws.dynamo(), settings, Clock.systemUTC());
    }

    /**
     * Uploads what does not go inline, then puts the job on the send queue. Nothing is uploaded when the
     * job is invalid or too large; an upload whose job then fails to enqueue stays in the bucket (give
     * {@code attachments/} a lifecycle rule).
     *
     * @return the job id: the email's own, or a generated UUID
     * @throws IllegalArgumentException  when the email has no recipient, no body, or conflicting parts
     * @throws MessageTooLargeException when the job would exceed {@value #MAX_MESSAGE_BYTES} bytes
     */
    public String send(Email email) {
        String queueUrl = require(ClientSettings.QUEUE_URL, settings.queueUrl());
        email.validate();
        String jobId = email.givenJobId() != null ? email.givenJobId() : UUID.randomUUID().toString();
        JobAssembler.Assembly assembly = new JobAssembler(settings.inlineLimitBytes(),
                () -> require(ClientSettings.UPLOAD_BUCKET, settings.uploadBucket())).assemble(email, jobId);
        String body = JobJson.write(assembly.job());
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_MESSAGE_BYTES) {
            throw new MessageTooLargeException(jobId, bytes, MAX_MESSAGE_BYTES);
        }
        assembly.uploads().forEach(upload -> uploader.upload(upload.location(), upload.part()));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
        return jobId;
    }

    /** @return the job as the ledger holds it now (a consistent read), or empty if the ledger has no such job */
    public Optional<SendStatus> status(String jobId) {
        return ledger().find(jobId).map(LedgerStatuses::of);
    }

    /**
     * Sends a dead-lettered job again, as the service's own redrive does: its archived payload goes back
     * on the send queue under its job id and its ledger item is reset (attempts 0, expired recipients
     * pending, status QUEUED). Recipients already delivered are not sent again. A job still QUEUED from
     * an earlier redrive may be redriven again; the ledger lets only one attempt deliver it.
     *
     * @return the SQS message id of the re-enqueued job
     * @throws IllegalArgumentException when the job is unknown or has no archived payload
     * @throws IllegalStateException    when the job is neither DEAD_LETTERED nor QUEUED
     */
    public String redrive(String jobId) {
        String queueUrl = require(ClientSettings.QUEUE_URL, settings.queueUrl());
        return new Redrive(ledger(), deadLetters(), sqs, queueUrl, clock).redrive(jobId);
    }

    /**
     * @param max at least 1
     * @return the newest {@code max} archived dead letters, newest first
     */
    public List<DeadLetter> deadLetters(int max) {
        return new DeadLetterArchive(s3, archiveBucket(), new ArchiveLayout(settings.archivePrefix())).newest(max);
    }

    /**
     * @return the archived payload (the job JSON as it was on the queue)
     * @throws IllegalArgumentException when nothing is archived at that key
     */
    public String inspect(String archiveKey) {
        try {
            return deadLetters().read(archiveKey);
        } catch (NoSuchKeyException e) {
            throw new IllegalArgumentException("nothing archived at " + archiveKey + " in bucket " + archiveBucket());
        }
    }

    /**
     * Puts {@code entry} on the suppression list (replacing the entry for the same address and
     * tenant, if any): from now on, no job sends to it — every job's if it is global, else the
     * tenant's jobs (tagged {@code tags.tenant}).
     *
     * @return the entry as stored: its address in the service's normal form, {@code addedAt} now
     * @throws IllegalArgumentException when the address is not a mailbox address
     */
    public SuppressionEntry suppress(SuppressionEntry entry) {
        dev.mailroom.ledger.Suppression stored = SuppressionEntries.toService(entry, clock.instant());
        suppressionList().put(stored);
        return SuppressionEntries.of(stored);
    }

    /**
     * Takes {@code address} off the list for {@code tenant} (null: the global entry); the other
     * scope's entry, if any, stays.
     *
     * @return whether there was an entry
     */
    public boolean unsuppress(String address, String tenant) {
        return suppressionList().remove(SuppressionEntries.scope(tenant), SuppressionEntries.key(address));
    }

    /**
     * What a job of {@code tenant} (null: a job without one) would find for {@code address}: the
     * global entry, else the tenant's, if one is in force.
     */
    public Optional<SuppressionEntry> suppression(String address, String tenant) {
        String key = SuppressionEntries.key(address);
        return Optional.ofNullable(suppressionList().find(List.of(key), Optional.ofNullable(tenant), clock.instant())
                .get(key)).map(SuppressionEntries::of);
    }

    /** Whether a job of {@code tenant} (null: none) would not send to {@code address}. */
    public boolean isSuppressed(String address, String tenant) {
        return suppression(address, tenant).isPresent();
    }

    /** Every entry in force, global and per tenant, by address (reads the whole list). */
    public List<SuppressionEntry> suppressions() {
        return suppressionList().list(clock.instant()).stream().map(SuppressionEntries::of).toList();
    }

    private static String require(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw new MissingSettingException(setting);
        }
        return value;
    }

    private Ledger ledger() {
        return new DynamoDbLedger(dynamo, require(ClientSettings.TABLE, settings.table()), LEDGER_RETENTION);
    }

    private SuppressionList suppressionList() {
        return new DynamoDbSuppressionList(dynamo, require(ClientSettings.SUPPRESSION_TABLE, settings.suppressionTable()));
    }

    private DeadLetters deadLetters() {
        return new SqsS3DeadLetters(sqs, settings.deadLetterQueueUrl(), s3, archiveBucket(), settings.archivePrefix(),
                clock);
    }

    private String archiveBucket() {
        return require(ClientSettings.ARCHIVE_BUCKET, settings.archiveBucket());
    }
}
