package dev.mailroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.client.SendStatus.JobState;
import dev.mailroom.client.SendStatus.RecipientState;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.S3Location;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.SqsS3DeadLetters;
import dev.mailroom.testing.AwsTestStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/** The client library against real SQS, S3 and DynamoDB APIs (the emulators of AwsTestStack). */
class MailroomClientTest {

    /** The payload the jobs of this test were claimed for. */
    private static final PayloadFingerprint PAYLOAD = PayloadFingerprint.of("{\"version\":1}");

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private AwsTestStack stack;
    private String queueUrl;
    private String deadLetterQueueUrl;
    private String bucket;
    private String table;
    private DynamoDbLedger ledger;
    private MailroomClient client;

    @BeforeEach
    void freshDeployment() {
        stack = AwsTestStack.shared();
        queueUrl = stack.createQueue(stack.uniqueName("send"));
        deadLetterQueueUrl = stack.createQueue(stack.uniqueName("send-dlq"));
        bucket = stack.uniqueName("attachments");
        stack.s3().createBucket(b -> b.bucket(bucket));
        table = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        ledger = new DynamoDbLedger(stack.dynamo(), table, Duration.ofDays(30));
        client = new MailroomClient(stack.sqs(), stack.s3(), stack.dynamo(),
                ClientSettings.of(queueUrl, bucket, table).withDeadLetters(deadLetterQueueUrl, null, null),
                Clock.systemUTC());
    }

    @Test
    void sendShouldInlineASmallImageUploadALargeFileInPartsAndEnqueueAJobTheIntakeAccepts() throws Exception {
        // Given: a 1 KiB logo and a 20 MiB report on disk
        byte[] logo = randomBytes(1024, 1);
        Path logoFile = Files.write(dir.resolve("logo.png"), logo);
        Path report = dir.resolve("report.pdf");
        String reportSha256 = writeRandomFile(report, 20 * MIB);

        // When
        String jobId = client.send(Email.from("Billing <billing@example.com>").to("Ann <ann@example.org>")
                .subject("Your report").text("Attached.").html("<img src=\"cid:logo\">")
                .inline("logo", logoFile).attach(report).tag("tenant", "acme")
                .expiresAt(Instant.parse("2999-12-31T23:59:59Z")));

        // Then: the service's own intake accepts the job as it is on the queue
        Message message = receiveOne(queueUrl);
        assertThat(message.body()).contains("\"expiresAt\":\"2999-12-31T23:59:59Z\"");
        IntakeResult result = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of(bucket))
                .accept(message.body(), message.messageId());
        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
        IntakeResult.Accepted accepted = (IntakeResult.Accepted) result;
        assertThat(accepted.jobId()).isEqualTo(jobId);
        assertThat(accepted.job().tags()).containsEntry("tenant", "acme");

        // the logo is inline, the report in S3, byte for byte, uploaded in parts
        List<Attachment> attachments = accepted.job().attachments();
        assertThat(attachments).hasSize(2);
        assertThat(attachments.get(0)).isEqualTo(new Attachment("logo.png", "image/png", "inline", "logo",
                Base64.getEncoder().encodeToString(logo), null));
        S3Location stored = attachments.get(1).s3();
        assertThat(stored.bucket()).isEqualTo(bucket);
        assertThat(stored.key()).matches("attachments/" + jobId + "/[0-9a-f-]{36}/2-report\\.pdf");
        assertThat(attachments.get(1)).isEqualTo(new Attachment("report.pdf", "application/pdf", "attachment", null,
                null, stored));
        assertThat(sha256(stack.s3().getObject(b -> b.bucket(bucket).key(stored.key())))).isEqualTo(reportSha256);
        HeadObjectResponse head = stack.s3().headObject(b -> b.bucket(bucket).key(stored.key()));
        assertThat(head.contentLength()).isEqualTo(20L * MIB);
        // A multipart object's ETag is "<md5 of the part md5s>-<parts>": 8 + 8 + 4 MiB.
        assertThat(head.eTag()).endsWith("-3\"");
    }

    @Test
    void sendShouldGenerateAJobIdAndSendAStreamAttachmentInline() {
        byte[] csv = "id,total\n1,42\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        String jobId = client.send(Email.from("billing@example.com").bcc("audit@example.org").text("numbers")
                .attach("totals.csv", "text/csv", new java.io.ByteArrayInputStream(csv), csv.length));

        assertThat(jobId).matches("[0-9a-f-]{36}");
        IntakeResult.Accepted accepted = accept(receiveOne(queueUrl));
        assertThat(accepted.jobId()).isEqualTo(jobId);
        assertThat(accepted.job().attachments()).singleElement()
                .satisfies(a -> assertThat(Base64.getDecoder().decode(a.content())).isEqualTo(csv));
    }

    @Test
    void sendShouldUploadARawMessageAndEnqueueARawJob() throws IOException {
        Path eml = Files.writeString(dir.resolve("hello.eml"),
                "From: billing@example.com\r\nTo: ann@example.org\r\nSubject: Hi\r\n\r\nHello\r\n");

        String jobId = client.send(Email.from("billing@example.com").to("ann@example.org").jobId("raw-1").raw(eml));

        IntakeResult.Accepted accepted = accept(receiveOne(queueUrl));
        S3Location raw = accepted.job().raw().s3();
        assertThat(raw.bucket()).isEqualTo(bucket);
        assertThat(raw.key()).matches("attachments/raw-1/[0-9a-f-]{36}/raw-hello\\.eml");
        assertThat(stack.s3().getObjectAsBytes(b -> b.bucket(bucket).key(raw.key())).asByteArray())
                .isEqualTo(Files.readAllBytes(eml));
        assertThat(jobId).isEqualTo("raw-1");
    }

    /**
     * The same job id sent twice with other content: the first job's message stays as it was (it may
     * still be waiting for a retry), and the second's queue message differs, so the service can tell a
     * reused id from a duplicate delivery.
     */
    @Test
    void sendShouldNeverOverwriteAnEarlierSendsObjectsUnderTheSameJobId() throws IOException {
        Path eml = dir.resolve("hello.eml");
        Files.writeString(eml, "From: billing@example.com\r\nTo: ann@example.org\r\nSubject: First\r\n\r\nOne\r\n");
        client.send(Email.from("billing@example.com").to("ann@example.org").jobId("raw-2").raw(eml));
        Message first = receiveOne(queueUrl);
        Files.writeString(eml, "From: billing@example.com\r\nTo: ann@example.org\r\nSubject: Second\r\n\r\nTwo\r\n");
        client.send(Email.from("billing@example.com").to("ann@example.org").jobId("raw-2").raw(eml));
        Message second = receiveOne(queueUrl);

        assertThat(second.body()).isNotEqualTo(first.body());
        String firstKey = accept(first).job().raw().s3().key();
        assertThat(stack.s3().getObjectAsBytes(b -> b.bucket(bucket).key(firstKey)).asUtf8String()).contains("Subject: First");
    }

    @Test
    void sendShouldRefuseAJobOverTheSqsLimitBeforeUploadingAnything() throws IOException {
        Path attachment = Files.write(dir.resolve("big.bin"), randomBytes(100 * 1024, 2));
        Email email = Email.from("billing@example.com").to("ann@example.org").jobId("too-big-1")
                .text("x".repeat(MIB)).attach(attachment);

        assertThatThrownBy(() -> client.send(email))
                .isInstanceOf(MessageTooLargeException.class)
                .hasMessageStartingWith("job too-big-1 is 10")
                .hasMessageContaining("over the SQS limit of 1048576 bytes");
        assertThat(stack.s3().listObjectsV2(b -> b.bucket(bucket).prefix("attachments/too-big-1/")).contents()).isEmpty();
        assertThat(receive(queueUrl)).isEmpty();
    }

    @Test
    void sendShouldAbortTheUploadWhenAStreamHoldsLessThanItsDeclaredLength() {
        long declared = 17L * MIB;
        InputStream short10MiB = new ZeroStream(10L * MIB);
        Email email = Email.from("billing@example.com").to("ann@example.org").jobId("short-1").text("see attached")
                .attach("data.bin", "application/octet-stream", short10MiB, declared);

        assertThatThrownBy(() -> client.send(email))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot read data.bin: the stream of data.bin ended after 10485760 of 17825792 bytes");
        assertThat(stack.s3().listObjectsV2(b -> b.bucket(bucket).prefix("attachments/short-1/")).contents()).isEmpty();
        assertThat(receive(queueUrl)).isEmpty();
    }

    @Test
    void sendShouldNameTheMissingUploadBucketOnlyWhenAnAttachmentNeedsIt() throws IOException {
        MailroomClient noBucket = new MailroomClient(stack.sqs(), stack.s3(), stack.dynamo(),
                ClientSettings.of(queueUrl, null, null), Clock.systemUTC());
        Path large = Files.write(dir.resolve("large.bin"), randomBytes(65 * 1024, 3));

        assertThat(noBucket.send(Email.from("billing@example.com").to("ann@example.org").text("no attachment"))).isNotBlank();
        assertThatThrownBy(() -> noBucket.send(Email.from("billing@example.com").to("ann@example.org").text("x").attach(large)))
                .isInstanceOfSatisfying(MissingSettingException.class,
                        e -> assertThat(e.setting()).isEqualTo(ClientSettings.UPLOAD_BUCKET));
    }

    @Test
    void statusShouldShowTheLedgerItemWithEveryRecipient() {
        // Given: a job whose first attempt delivered to Ann and deferred Bob
        ledger.claim("inv-1", PAYLOAD, "worker-a", Duration.ofMinutes(15), List.of("ann@example.org", "Bob@Example.net"),
                Instant.parse("2999-12-31T23:59:59Z"), T0);
        RecipientRecord ann = new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "queued as 1", "mx.example.org", 1, T0);
        RecipientRecord bob = new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "try later", "mx.example.net", 1, T0);
        ledger.record(new AttemptResult("inv-1", "worker-a", JobStatus.DEFERRED, "<m1@example.com>",
                Map.of("ann@example.org", ann, "bob@example.net", bob), T0.plusSeconds(300), "bob@example.net: 451 4.3.0 try later",
                null, T0.plusSeconds(2)));

        // When
        SendStatus status = client.status("inv-1").orElseThrow();

        // Then
        assertThat(status.jobId()).isEqualTo("inv-1");
        assertThat(status.status()).isEqualTo(JobState.DEFERRED);
        assertThat(status.attempts()).isEqualTo(1);
        assertThat(status.createdAt()).isEqualTo(T0);
        assertThat(status.updatedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(status.nextAttemptAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(status.expiresAt()).isEqualTo(Instant.parse("2999-12-31T23:59:59Z"));
        assertThat(status.lastError()).isEqualTo("bob@example.net: 451 4.3.0 try later");
        assertThat(status.messageId()).isEqualTo("<m1@example.com>");
        assertThat(status.recipients()).containsExactly(
                new SendStatus.Recipient("ann@example.org", RecipientState.DELIVERED, 250, "2.0.0", "queued as 1",
                        "mx.example.org", 1, T0, List.of()),
                new SendStatus.Recipient("bob@example.net", RecipientState.DEFERRED, 451, "4.3.0", "try later",
                        "mx.example.net", 1, T0, List.of()));
        assertThat(client.status("no-such-job")).isEmpty();
    }

    @Test
    void redriveShouldPutTheArchivedPayloadBackOnTheQueueWithTheJobIdAttribute() {
        // Given: a job dead-lettered by the service, its payload archived and copied to the DLQ
        String payload = "{\"version\":1,\"jobId\":\"inv-2\",\"from\":\"billing@example.com\",\"to\":[\"ann@example.org\"],\"text\":\"hi\"}";
        deadLetter("inv-2", payload, "expired after 12 attempts", T0);

        // When
        String messageId = client.redrive("inv-2");

        // Then
        Message message = receiveOne(queueUrl);
        assertThat(message.messageId()).isEqualTo(messageId);
        assertThat(message.body()).isEqualTo(payload);
        assertThat(message.messageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE).stringValue()).isEqualTo("inv-2");
        SendStatus status = client.status("inv-2").orElseThrow();
        assertThat(status.status()).isEqualTo(JobState.QUEUED);
        assertThat(status.recipients()).extracting(SendStatus.Recipient::status).containsExactly(RecipientState.PENDING);
        // A redrive may be repeated while the job waits (say the first re-enqueue failed): the
        // ledger still lets only one attempt deliver it.
        assertThat(client.redrive("inv-2")).isNotBlank();
        assertThat(client.status("inv-2").orElseThrow().status()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void deadLettersShouldListTheArchiveNewestFirstAndInspectShouldReturnThePayload() {
        String older = deadLetter("inv-3", "{\"jobId\":\"inv-3\"}", "from: domain is not allowed", T0);
        String newer = deadLetter("inv-4", "{\"jobId\":\"inv-4\"}", "expired: max age 3d", T0.plusSeconds(60));

        List<DeadLetter> deadLetters = client.deadLetters(10);

        assertThat(deadLetters).containsExactly(
                new DeadLetter("inv-4", newer, T0.plusSeconds(60), "expired: max age 3d"),
                new DeadLetter("inv-3", older, T0, "from: domain is not allowed"));
        assertThat(client.deadLetters(1)).extracting(DeadLetter::jobId).containsExactly("inv-4");
        assertThat(client.inspect(older)).isEqualTo("{\"jobId\":\"inv-3\"}");
        assertThatThrownBy(() -> client.inspect("dead-letters/nothing/1.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nothing archived at dead-letters/nothing/1.json in bucket " + bucket);
    }

    /**
     * The archive's layout is one contract: what the service writes for a job id that a key cannot keep
     * as it is, the client lists under that very id and at its millisecond, and the key it lists is the
     * one the ledger points the redrive at.
     */
    @Test
    void deadLettersShouldListAServiceArchivedJobByItsOwnIdAndRedriveShouldReadTheListedKey() {
        String payload = "{\"version\":1,\"jobId\":\"inv:2026/5\",\"from\":\"billing@example.com\","
                + "\"to\":[\"ann@example.org\"],\"text\":\"hi\"}";
        String key = deadLetter("inv:2026/5", payload, "expired after 12 attempts", T0.plusMillis(123));

        DeadLetter listed = client.deadLetters(1).get(0);

        assertThat(listed).isEqualTo(new DeadLetter("inv:2026/5", key, T0.plusMillis(123), "expired after 12 attempts"));
        assertThat(listed.archiveKey()).isEqualTo("dead-letters/inv_2026_5/" + T0.plusMillis(123).toEpochMilli() + ".json");
        assertThat(client.status("inv:2026/5").orElseThrow().archiveKey()).isEqualTo(listed.archiveKey());
        client.redrive(listed.jobId());
        Message message = receiveOne(queueUrl);
        assertThat(message.body()).isEqualTo(payload).isEqualTo(client.inspect(listed.archiveKey()));
        assertThat(message.messageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE).stringValue()).isEqualTo("inv:2026/5");
    }

    /** Dead-letters a job as the service does: archive + DLQ copy, ledger DEAD_LETTERED. @return the archive key */
    private String deadLetter(String jobId, String payload, String reason, Instant at) {
        String key = new SqsS3DeadLetters(stack.sqs(), deadLetterQueueUrl, stack.s3(), bucket, "dead-letters/",
                Clock.fixed(at, ZoneOffset.UTC)).send(jobId, payload, reason);
        ledger.claim(jobId, PAYLOAD, "worker-a", Duration.ofMinutes(15), List.of("ann@example.org"), null, at);
        ledger.record(new AttemptResult(jobId, "worker-a", JobStatus.DEAD_LETTERED, null,
                Map.of("ann@example.org", RecipientRecord.pending(at).expired(at)), null, reason, key, at));
        return key;
    }

    private IntakeResult.Accepted accept(Message message) {
        IntakeResult result = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of(bucket))
                .accept(message.body(), message.messageId());
        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
        return (IntakeResult.Accepted) result;
    }

    private Message receiveOne(String queue) {
        List<Message> messages = receive(queue);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private List<Message> receive(String queue) {
        return stack.sqs().receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes {@code size} pseudo-random bytes a MiB at a time. @return their SHA-256, hex */
    private static String writeRandomFile(Path file, int size) throws IOException {
        MessageDigest sha256 = sha256();
        Random random = new Random(42);
        byte[] chunk = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                sha256.update(chunk);
                out.write(chunk);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest sha256 = sha256();
        try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code length} zero bytes, without holding them. */
    private static final class ZeroStream extends InputStream {
        private long remaining;

        ZeroStream(long length) {
            this.remaining = length;
        }

        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            remaining--;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(count, remaining);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
