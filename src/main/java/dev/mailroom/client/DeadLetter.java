package dev.mailroom.client;

import java.time.Instant;

/**
 * A dead-lettered payload in the archive.
 *
 * @param jobId      as the archive names it: characters outside {@code A-Za-z0-9._@+=-} are replaced
 *                   by {@code _} there
 * @param archiveKey the S3 key, for {@link MailroomClient#inspect(String)}
 * @param archivedAt when it was archived
 * @param reason     why it was dead-lettered (non-ASCII characters shown as {@code ?}), or null
 */
public record DeadLetter(String jobId, String archiveKey, Instant archivedAt, String reason) {
}
