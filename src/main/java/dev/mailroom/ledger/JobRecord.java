package dev.mailroom.ledger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param outbox      the events written and not yet published, as the writes kept them
 * @param redrives    how often the job was redriven from the dead-letter queue: a new life's
 *                    transitions are new events, even where one repeats an earlier life's (a
 *                    recipient EXPIRED again at the same attempt count)
 */
public record JobRecord(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                        Instant nextAttemptAt, Instant expiresAt, String lastError, String leaseOwner,
                        Instant leaseUntil, String messageId, Map<String, RecipientRecord> recipients,
                        String archiveKey, PayloadFingerprint fingerprint, String mail, boolean announced,
                        List<OutboxBatch> outbox, int redrives) {

    public JobRecord {
        recipients = recipients == null ? Map.of() : Map.copyOf(new TreeMap<>(recipients));
        outbox = outbox == null ? List.of() : List.copyOf(outbox);
    }

    /** A record with no events (deployments that publish none, and tests). */
    public JobRecord(String jobId, JobStatus status, int attempts, Instant createdAt, Instant updatedAt,
                     Instant nextAttemptAt, Instant expiresAt, String lastError, String leaseOwner,
                     Instant leaseUntil, String messageId, Map<String, RecipientRecord> recipients,
                     String archiveKey, PayloadFingerprint fingerprint) {
        this(jobId, status, attempts, createdAt, updatedAt, nextAttemptAt, expiresAt, lastError, leaseOwner,
                leaseUntil, messageId, recipients, archiveKey, fingerprint, null, false, List.of(), 0);
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
                announced, outbox, redrives);
    }

    /** The unpublished events of every batch, by id (an event kept by two writes is one). */
    public Map<String, OutboxEvent> pendingEvents() {
        Map<String, OutboxEvent> pending = new LinkedHashMap<>();
        outbox.forEach(batch -> batch.events().forEach(event -> pending.putIfAbsent(event.id(), event)));
        return pending;
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
