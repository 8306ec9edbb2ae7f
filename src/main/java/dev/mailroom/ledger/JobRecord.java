package dev.mailroom.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One job as the ledger holds it.
 *
 * @param recipients  address (lower case) → its record
 * @param archiveKey  the S3 key of the archived payload once the job was dead-lettered, else null
 * @param fingerprint the payload the id belongs to; null on items no claim or rejection wrote
 *                    (reconciled from the DLQ, or older than fingerprints)
 */
public record JobRecord(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                        Instant nextAttemptAt, Instant expiresAt, String lastError, String leaseOwner,
                        Instant leaseUntil, String messageId, Map<String, RecipientRecord> recipients,
                        String archiveKey, PayloadFingerprint fingerprint) {

    public JobRecord {
        recipients = recipients == null ? Map.of() : Map.copyOf(new TreeMap<>(recipients));
    }

    /** Whether {@code payload} may be this job: the same fingerprint, or none recorded to compare with. */
    public boolean admits(PayloadFingerprint payload) {
        return fingerprint == null || fingerprint.equals(payload);
    }

    /** The record of {@code address}, in any spelling of it ({@link dev.mailroom.job.AddressForm#key}). */
    public RecipientRecord recipient(String address) {
        return recipients.get(dev.mailroom.job.AddressForm.key(address));
    }
}
