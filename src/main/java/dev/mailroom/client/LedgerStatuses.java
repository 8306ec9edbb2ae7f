package dev.mailroom.client;

import dev.mailroom.client.SendStatus.JobState;
import dev.mailroom.client.SendStatus.RecipientState;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.util.List;
import java.util.Map;

/**
 * A ledger item → the client's {@link SendStatus}: the one place where the client meets the ledger's
 * types, so that none of them is part of its public API. The switches are exhaustive: a state the
 * ledger gains does not compile until it is mapped here.
 */
final class LedgerStatuses {

    private LedgerStatuses() {
    }

    static SendStatus of(JobRecord job) {
        List<SendStatus.Recipient> recipients = job.recipients().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> recipient(entry.getKey(), entry.getValue()))
                .toList();
        return new SendStatus(job.jobId(), state(job.status()), job.attempts(), job.createdAt(), job.updatedAt(),
                job.nextAttemptAt(), job.expiresAt(), job.lastError(), job.messageId(), job.archiveKey(), recipients);
    }

    static JobState state(JobStatus status) {
        return switch (status) {
            case QUEUED -> JobState.QUEUED;
            case SENDING -> JobState.SENDING;
            case DEFERRED -> JobState.DEFERRED;
            case DELIVERED -> JobState.DELIVERED;
            case PARTIAL -> JobState.PARTIAL;
            case FAILED -> JobState.FAILED;
            case DEAD_LETTERED -> JobState.DEAD_LETTERED;
            case REJECTED -> JobState.REJECTED;
        };
    }

    static RecipientState state(RecipientStatus status) {
        return switch (status) {
            case PENDING -> RecipientState.PENDING;
            case DELIVERED -> RecipientState.DELIVERED;
            case DEFERRED -> RecipientState.DEFERRED;
            case FAILED -> RecipientState.FAILED;
            case EXPIRED -> RecipientState.EXPIRED;
            case SUPPRESSED -> RecipientState.SUPPRESSED;
            case BOUNCED -> RecipientState.BOUNCED;
            case COMPLAINED -> RecipientState.COMPLAINED;
        };
    }

    private static SendStatus.Recipient recipient(String address, RecipientRecord record) {
        return new SendStatus.Recipient(address, state(record.status()), record.replyCode(), record.enhancedCode(),
                record.replyText(), record.mxHost(), record.attempts(), record.at(), record.signedBy(),
                record.suppression() == null ? null : SuppressionEntries.of(record.suppression()));
    }
}
