package dev.mailroom.ledger;

import java.time.Instant;
import java.util.Map;

/**
 * What one attempt concluded, to be written under the lease.
 *
 * @param recipients    only the recipients this attempt touched (address → new record)
 * @param nextAttemptAt when the job runs again, for DEFERRED; null otherwise
 */
public record AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                            Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                            String archiveKey, Instant now) {

    public AttemptResult {
        recipients = Map.copyOf(recipients);
    }
}
