package dev.mailroom.ledger;

import java.time.Instant;
import java.util.Map;

/**
 * What one attempt concluded, to be written under the lease.
 *
 * @param recipients    only the recipients this attempt touched (address → new record)
 * @param nextAttemptAt     when the job runs again, for DEFERRED; null otherwise
 * @param deliveryAttempted false when the claim ended without trying to deliver (the job had
 *                          expired, or nothing was left to send): the attempt the claim counted is
 *                          given back, so that {@code attempts} counts delivery attempts made
 */
public record AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                            Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                            String archiveKey, Instant now, boolean deliveryAttempted) {

    public AttemptResult {
        recipients = Map.copyOf(recipients);
    }

    /** The outcome of an attempt that delivered (or tried to). */
    public AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                         Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                         String archiveKey, Instant now) {
        this(jobId, owner, status, messageId, recipients, nextAttemptAt, lastError, archiveKey, now, true);
    }
}
