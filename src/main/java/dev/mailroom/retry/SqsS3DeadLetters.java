package dev.mailroom.retry;

import dev.mailroom.job.S3Location;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** {@link DeadLetters} on an SQS dead-letter queue plus an S3 archive laid out as {@link ArchiveLayout} says. */
public final class SqsS3DeadLetters implements DeadLetters {

    /** SQS message attributes are small; the full reason is in the ledger and the archive. */
    private static final int MAX_REASON_CHARS = 1_000;
    /** 1 MiB less room for the three attributes. */
    private static final int MAX_DLQ_BODY_BYTES = 1_048_576 - 4_096;

    private final SqsClient sqs;
    private final String deadLetterQueueUrl;
    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;
    private final Clock clock;

    /** @param prefix the archive's key prefix ({@link ArchiveLayout#prefix}) */
    public SqsS3DeadLetters(SqsClient sqs, String deadLetterQueueUrl, S3Client s3, String bucket, String prefix,
                            Clock clock) {
        this.sqs = sqs;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = new ArchiveLayout(prefix);
        this.clock = clock;
    }

    @Override
    public String send(String jobId, String payload, String reason) {
        String key = archive(jobId, payload, reason);
        String pointer = "{\"archived\":true,\"jobId\":\"" + S3Location.keySafe(jobId) + "\",\"archiveKey\":\"" + key + "\"}";
        // SQS counts attributes against its 1 MiB limit, and refuses empty bodies and characters
        // outside its allowed set: such payloads go to the DLQ as a pointer to the archived copy,
        // which is the one redrive reads anyway.
        boolean fits = payload != null && !payload.isEmpty()
                && payload.getBytes(StandardCharsets.UTF_8).length <= MAX_DLQ_BODY_BYTES;
        try {
            sendToQueue(fits ? payload : pointer, jobId, reason, key);
        } catch (SqsException e) {
            if (!fits || e.statusCode() != 400) {
                throw e;
            }
            sendToQueue(pointer, jobId, reason, key);
        }
        return key;
    }

    private void sendToQueue(String body, String jobId, String reason, String key) {
        sqs.sendMessage(b -> b.queueUrl(deadLetterQueueUrl).messageBody(body).messageAttributes(Map.of(
                REASON_ATTRIBUTE, text(truncate(reason)),
                JOB_ID_ATTRIBUTE, text(jobId),
                ARCHIVE_ATTRIBUTE, text(key))));
    }

    @Override
    public String archive(String jobId, String payload, String reason) {
        String key = layout.key(jobId, clock.instant());
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json")
                        .metadata(layout.metadata(jobId, truncate(reason))),
                RequestBody.fromString(payload == null ? "" : payload, StandardCharsets.UTF_8));
        return key;
    }

    @Override
    public String read(String archiveKey) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(archiveKey)).asUtf8String();
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value.isEmpty() ? "-" : value).build();
    }

    private static String truncate(String reason) {
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
    }
}
