package dev.mailroom.client;

import java.time.Instant;

/**
 * A dead-lettered payload in the archive: one per dead-lettering, so a job dead-lettered twice is
 * listed twice. The client's own value, as the archive describes the object.
 *
 * @param jobId      the job's id; for an object archived without it in its metadata, as the key names
 *                   the job, where characters a key does not keep are {@code _}
 * @param archiveKey the S3 key, for {@link MailroomClient#inspect(String)}
 * @param archivedAt when it was archived, to the millisecond
 * @param reason     why it was dead-lettered (non-ASCII characters shown as {@code ?}), or null
 */
public record DeadLetter(String jobId, String archiveKey, Instant archivedAt, String reason) {
}
