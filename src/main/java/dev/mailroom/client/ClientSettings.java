package dev.mailroom.client;

import dev.mailroom.retry.ArchiveLayout;

/**
 * Where a {@link MailroomClient} finds a Mailroom deployment. Every field may be null; an operation
 * that needs a missing one fails with a {@link MissingSettingException} naming it, so a client that
 * only sends needs no table, and one that only reads statuses needs no queue.
 *
 * @param queueUrl           the send queue: {@link MailroomClient#send} and {@link MailroomClient#redrive}
 * @param uploadBucket       where attachments too large to go inline are uploaded; must be one of the
 *                           service's MAILROOM_ATTACHMENT_BUCKETS
 * @param table              the ledger table: status and redrive
 * @param deadLetterQueueUrl the dead-letter queue; not needed by any client operation today (redrive
 *                           reads the archive), kept so that the dead letters are wired as in the service
 * @param archiveBucket      the dead-letter archive; defaults to {@code uploadBucket}, as in the service
 * @param archivePrefix      key prefix of archived payloads; defaults to {@value #DEFAULT_ARCHIVE_PREFIX}
 * @param inlineLimitBytes   attachments go inline (base64 in the job) while their total stays within
 *                           this many bytes; keep it at or below the service's MAILROOM_MAX_INLINE_BYTES
 * @param suppressionTable   the suppression list's table (the service's MAILROOM_SUPPRESSION_TABLE):
 *                           {@link MailroomClient#suppress} and the other suppression operations
 */
public record ClientSettings(String queueUrl, String uploadBucket, String table, String deadLetterQueueUrl,
                             String archiveBucket, String archivePrefix, long inlineLimitBytes,
                             String suppressionTable) {

    /** The service's own default (MAILROOM_ARCHIVE_PREFIX unset). */
    public static final String DEFAULT_ARCHIVE_PREFIX = ArchiveLayout.DEFAULT_PREFIX;
    public static final long DEFAULT_INLINE_LIMIT_BYTES = 64 * 1024;

    /** Setting names, as {@link MissingSettingException#setting()} reports them. */
    public static final String QUEUE_URL = "queueUrl";
    public static final String UPLOAD_BUCKET = "uploadBucket";
    public static final String TABLE = "table";
    public static final String ARCHIVE_BUCKET = "archiveBucket";
    public static final String SUPPRESSION_TABLE = "suppressionTable";

    public ClientSettings {
        archiveBucket = archiveBucket != null ? archiveBucket : uploadBucket;
        archivePrefix = archivePrefix != null ? archivePrefix : DEFAULT_ARCHIVE_PREFIX;
        if (inlineLimitBytes < 0) {
            throw new IllegalArgumentException("inlineLimitBytes must not be negative, was " + inlineLimitBytes);
        }
    }

    /** The common case: the archive in the upload bucket under {@value #DEFAULT_ARCHIVE_PREFIX}, 64 KiB inline. */
    public static ClientSettings of(String queueUrl, String uploadBucket, String table) {
        return new ClientSettings(queueUrl, uploadBucket, table, null, null, null, DEFAULT_INLINE_LIMIT_BYTES, null);
    }

    /**
     * @param archiveBucket null for the upload bucket
     * @param archivePrefix null for {@value #DEFAULT_ARCHIVE_PREFIX}
     */
    public ClientSettings withDeadLetters(String deadLetterQueueUrl, String archiveBucket, String archivePrefix) {
        return new ClientSettings(queueUrl, uploadBucket, table, deadLetterQueueUrl, archiveBucket, archivePrefix,
                inlineLimitBytes, suppressionTable);
    }

    public ClientSettings withInlineLimit(long bytes) {
        return new ClientSettings(queueUrl, uploadBucket, table, deadLetterQueueUrl, archiveBucket, archivePrefix, bytes,
                suppressionTable);
    }

    public ClientSettings withSuppressionTable(String table) {
        return new ClientSettings(queueUrl, uploadBucket, this.table, deadLetterQueueUrl, archiveBucket, archivePrefix,
                inlineLimitBytes, table);
    }
}
