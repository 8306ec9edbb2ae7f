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
 * @param mail        the job's SES {@code mail} object as JSON, written with its first events; null
 *                    when no event was ever kept for it
 * @param announced   whether the job's Send event was kept (once per job, by the first write of the
 *                    first attempt that reached the ledger)
 * @param outbox      the events written and not yet published ({@link OutboxEvent}), by id
 */
public record JobRecord(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                        Instant nextAttemptAt, Instant expiresAt, String lastError, String leaseOwner,
                        Instant leaseUntil, String messageId, Map<String, RecipientRecord> recipients,
                        String archiveKey, PayloadFingerprint fingerprint, String mail, boolean announced,
                        Map<String, OutboxEvent> outbox) {

    public JobRecord {
        recipients = recipients == null ? Map.of() : Map.copyOf(new TreeMap<>(recipients));
        outbox = outbox == null ? Map.of() : Map.copyOf(new TreeMap<>(outbox));
    }

    /** A record with no events (deployments that publish none, and tests). */
    public JobRecord(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                     Instant nextAttemptAt, Instant expiresAt, String lastError, String leaseOwner,
                     Instant leaseUntil, String messageId, Map<String, RecipientRecord> recipients,
                     String archiveKey, PayloadFingerprint fingerprint) {
        this(jobId, status, attempts, createdAt, updatedAt, nextAttemptAt, expiresAt, lastError, leaseOwner,
                leaseUntil, messageId, recipients, archiveKey, fingerprint, null, false, Map.of());
    }

    /**
     * This job as {@code result} leaves it (its status, Message-ID, this attempt's recipients), for the
     * events of that write, made before the ledger returns the item.
     */
    public JobRecord after(AttemptResult result) {
        Map<String, RecipientRecord> all = new TreeMap<>(recipients);
        all.putAll(result.recipients());
        return new JobRecord(jobId, result.status(), attempts, createdAt, result.now(), result.nextAttemptAt(),
                expiresAt, result.lastError(), leaseOwner, leaseUntil,
                result.messageId() != null ? result.messageId() : messageId, all, archiveKey, fingerprint, mail,
                announced, outbox);
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
