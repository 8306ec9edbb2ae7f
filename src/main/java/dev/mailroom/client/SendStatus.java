package dev.mailroom.client;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where a job stands, as the ledger records it (README: Statuses). Times are null when not set.
 *
 * @param attempts      delivery attempts so far
 * @param nextAttemptAt when a DEFERRED job runs again
 * @param expiresAt     the job's own expiry, if it set one
 * @param lastError     the reason of a REJECTED or DEAD_LETTERED job, or the last deferral
 * @param messageId     the Message-ID of the composed message, once composed
 * @param archiveKey    the archived payload of a dead-lettered or rejected job, for inspection
 * @param recipients    one entry per envelope recipient, by address
 */
public record SendStatus(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                         Instant nextAttemptAt, Instant expiresAt, String lastError, String messageId,
                         String archiveKey, List<Recipient> recipients) {

    /**
     * @param replyCode    the SMTP reply code; null when no server replied (yet), e.g. a null MX
     * @param enhancedCode the RFC 3463 enhanced status code, e.g. {@code 4.3.0}
     * @param mxHost       the host that answered
     * @param at           when the status was last set
     */
    public record Recipient(String address, RecipientStatus status, Integer replyCode, String enhancedCode,
                            String replyText, String mxHost, int attempts, Instant at) {
    }

    public SendStatus {
        recipients = List.copyOf(recipients);
    }

    static SendStatus of(JobRecord job) {
        List<Recipient> recipients = job.recipients().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> recipient(entry.getKey(), entry.getValue()))
                .toList();
        return new SendStatus(job.jobId(), job.status(), job.attempts(), job.createdAt(), job.updatedAt(),
                job.nextAttemptAt(), job.expiresAt(), job.lastError(), job.messageId(), job.archiveKey(), recipients);
    }

    private static Recipient recipient(String address, RecipientRecord record) {
        return new Recipient(address, record.status(), record.replyCode(), record.enhancedCode(), record.replyText(),
                record.mxHost(), record.attempts(), record.at());
    }
}
