package dev.mailroom.testing;

import dev.mailroom.ledger.Ledger.Kept;
import dev.mailroom.ledger.OutboxBatch;
import dev.mailroom.ledger.OutboxEvent;
import java.util.Collection;
import java.util.function.Consumer;
import dev.mailroom.budget.Deadline;
import dev.mailroom.job.AddressForm;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.Claim;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Reconciliation;
import dev.mailroom.ledger.Recording;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Ledger} in memory that honours the conditions of {@link DynamoDbLedger}, write for write
 * (each method names the condition it mirrors), so that what hangs on them — a busy job, a finished
 * one, a conflict, a lost lease, a dead letter — is specified in milliseconds. {@code LedgerContract}
 * runs the same behaviour tests against both. Thread-safe: each call is atomic, as each conditional
 * write is in DynamoDB.
 *
 * <p>Held as DynamoDB holds it: instants at millisecond precision, addresses lower-cased, a reply
 * code of 0 read back as none, attributes a write leaves out left as they were. Not modelled: TTL
 * (nothing is removed), and outages — a write never fails, so {@code record}'s deadline is never
 * waited on.
 */
public final class InMemoryLedger implements Ledger {

    /** What a claim may take: queued (redriven), deferred, or being sent under a lease that ran out. */
    private static final Set<JobStatus> CLAIMABLE = EnumSet.of(JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SENDING);

    private final Map<String, Item> items = new HashMap<>();

    @Override
    public synchronized Claim claim(String jobId, PayloadFingerprint fingerprint, String owner, Duration lease,
                                    List<String> recipients, Instant expiresAt, Instant now) {
        Instant at = millis(now);
        Item item = items.get(jobId);
        // DynamoDbLedger's CLAIM_CONDITION: new, or this payload's (or none recorded) and claimable
        if (item != null && !(item.admits(fingerprint) && CLAIMABLE.contains(item.status) && item.leaseEndedBy(at))) {
            JobRecord current = item.record();
            if (!current.admits(fingerprint)) {
                return new Claim.Conflict(current);
            }
            return current.status().isTerminal() ? new Claim.Finished(current) : new Claim.Busy(current);
        }
        if (item == null) {
            item = new Item(jobId);
            items.put(jobId, item);
        }
        item.status = JobStatus.SENDING;
        item.leaseOwner = owner;
        item.leaseUntil = millis(now.plus(lease));
        item.updatedAt = at;
        item.createdAt = item.createdAt == null ? at : item.createdAt;
        if (item.recipients == null) {
            Map<String, RecipientRecord> initial = new HashMap<>();
            recipients.forEach(address -> initial.put(AddressForm.key(address), RecipientRecord.pending(at)));
            item.recipients = initial;
        }
        item.fingerprint = item.fingerprint == null ? fingerprint : item.fingerprint;
        item.attempts++;
        item.expiresAt = item.expiresAt == null && expiresAt != null ? millis(expiresAt) : item.expiresAt;
        return new Claim.Granted(item.record());
    }

    /** As {@link DynamoDbLedger#record}, where no try ever meets an outage: {@code giveUpAt} is not consulted. */
    @Override
    public synchronized Recording record(AttemptResult result, Deadline giveUpAt) {
        Instant at = millis(result.now());
        Map<String, RecipientRecord> entries = new HashMap<>();
        result.recipients().forEach((address, record) -> entries.put(AddressForm.key(address), stored(record)));
        Item item = items.get(result.jobId());
        // DynamoDbLedger's LEASE_CONDITION: the caller holds the lease of a job being sent
        if (item == null || item.leaseOwner == null || !item.leaseOwner.equals(result.owner())
                || item.status != JobStatus.SENDING) {
            // As there, a write already applied (its reply lost, then retried) counts as recorded.
            boolean applied = item != null && item.status == result.status() && at.equals(item.updatedAt);
            return applied ? new Recording.Recorded(Optional.of(item.record())) : new Recording.LeaseLost(result.jobId());
        }
        if (item.recipients == null && !entries.isEmpty()) {
            throw new IllegalStateException("job " + result.jobId() + " has no recipients map to set entries of "
                    + "(DynamoDB refuses such a path)");
        }
        item.status = result.status();
        item.updatedAt = at;
        item.messageId = result.messageId() != null ? result.messageId() : item.messageId;
        item.lastError = result.lastError() != null ? result.lastError() : item.lastError;
        item.archiveKey = result.archiveKey() != null ? result.archiveKey() : item.archiveKey;
        item.nextAttemptAt = result.nextAttemptAt() == null ? null : millis(result.nextAttemptAt());
        if (!entries.isEmpty()) {
            item.recipients.putAll(entries);
        }
        if (result.status() != JobStatus.SENDING) {
            item.leaseOwner = null;
            item.leaseUntil = null;
        }
        if (!result.deliveryAttempted()) {
            item.attempts--;
        }
        item.keep(result.mail(), result.events());
        item.announced |= result.announces();
        return new Recording.Recorded(Optional.of(item.record()));
    }

    @Override
    public synchronized void reject(String jobId, PayloadFingerprint fingerprint, String reason, String archiveKey,
                                    Instant now) {
        Instant at = millis(now);
        Item item = items.get(jobId);
        // DynamoDbLedger's REJECT_CONDITION: new, or this payload's (or none recorded) rejection
        if (item != null && !(item.status == JobStatus.REJECTED && item.admits(fingerprint))) {
            return;
        }
        if (item == null) {
            item = new Item(jobId);
            items.put(jobId, item);
        }
        item.status = JobStatus.REJECTED;
        item.fingerprint = fingerprint;
        item.lastError = reason;
        item.updatedAt = at;
        item.createdAt = item.createdAt == null ? at : item.createdAt;
        item.archiveKey = archiveKey != null ? archiveKey : item.archiveKey;
    }

    @Override
    public synchronized Reconciliation reconcileDeadLetter(String jobId, PayloadFingerprint fingerprint, String reason,
                                                           String archiveKey, Instant now, ExpiryEvents events) {
        Instant at = millis(now);
        Item item = items.get(jobId);
        if (item != null && (item.status.isTerminal() || !item.admits(fingerprint))) {
            return new Reconciliation.LeftAlone(item.record());
        }
        // DynamoDbLedger's RECONCILE_CONDITION (the status read cannot change in between here)
        if (item != null && !item.leaseEndedBy(at)) {
            return new Reconciliation.Busy(jobId);
        }
        if (item == null) {
            item = new Item(jobId);
            items.put(jobId, item);
        }
        item.status = JobStatus.DEAD_LETTERED;
        item.fingerprint = item.fingerprint == null ? fingerprint : item.fingerprint;
        item.lastError = reason;
        item.updatedAt = at;
        item.createdAt = item.createdAt == null ? at : item.createdAt;
        item.leaseOwner = null;
        item.leaseUntil = null;
        item.nextAttemptAt = null;
        item.archiveKey = archiveKey != null ? archiveKey : item.archiveKey;
        if (item.recipients != null) {
            java.util.Set<String> expired = new java.util.HashSet<>();
            item.recipients.forEach((address, record) -> {
                if (!record.status().isFinal()) {
                    expired.add(address);
                }
            });
            item.recipients.replaceAll((address, record) -> record.status().isFinal() ? record : record.expired(at));
            Kept kept = events.of(item.record(), expired);
            item.keep(kept.mail() != null ? kept.mail() : item.mail, kept.events());
            item.announced |= kept.announces();
        }
        return new Reconciliation.DeadLettered(Optional.of(item.record()));
    }

    @Override
    public synchronized void resetForRedrive(String jobId, Instant now) {
        Instant at = millis(now);
        Item item = items.get(jobId);
        if (item == null) {
            throw new IllegalArgumentException("no job " + jobId);
        }
        // DynamoDbLedger's REDRIVE_CONDITION holds: the status read cannot change in between here.
        if (item.status != JobStatus.DEAD_LETTERED && item.status != JobStatus.QUEUED) {
            throw new IllegalStateException("job " + jobId + " is " + item.status + ", only DEAD_LETTERED jobs are redriven");
        }
        item.status = JobStatus.QUEUED;
        item.attempts = 0;
        item.createdAt = at;
        item.updatedAt = at;
        item.expiresAt = null;
        item.nextAttemptAt = null;
        item.redrives++;
        if (item.recipients != null) {
            item.recipients.replaceAll((address, record) ->
                    record.status() == RecipientStatus.EXPIRED ? record.reopened(at) : record);
        }
    }

    @Override
    public synchronized Optional<JobRecord> recordAfterDelivery(String jobId, String recipient, RecipientRecord record,
                                                                Instant now, List<OutboxEvent> events) {
        // DynamoDbLedger's AFTER_DELIVERY_CONDITION: the recipient is DELIVERED.
        Item item = items.get(jobId);
        if (item == null || item.recipients == null || item.recipients.get(recipient) == null
                || item.recipients.get(recipient).status() != RecipientStatus.DELIVERED) {
            return Optional.empty();
        }
        item.recipients.put(recipient, stored(record));
        item.updatedAt = millis(now);
        item.keep(item.mail, events);
        return Optional.of(item.record());
    }

    @Override
    public synchronized Optional<JobRecord> recordEvents(String jobId, List<OutboxEvent> events) {
        // DynamoDbLedger's EXISTS_CONDITION
        Item item = items.get(jobId);
        if (item == null) {
            return Optional.empty();
        }
        item.keep(item.mail, events);
        return Optional.of(item.record());
    }

    @Override
    public synchronized void markPublished(String jobId, Collection<String> batchKeys) {
        Item item = items.get(jobId);
        if (item != null) {
            item.outbox.keySet().removeAll(batchKeys);
        }
    }

    @Override
    public void forEachWithPendingEvents(Consumer<JobRecord> action) {
        List<JobRecord> pending;
        synchronized (this) {
            pending = items.values().stream().filter(item -> !item.outbox.isEmpty()).map(Item::record).toList();
        }
        pending.forEach(action);
    }

    @Override
    public synchronized Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(items.get(jobId)).map(Item::record);
    }

    /**
     * Test hook: stores {@code job} as it is, with no condition — as a direct PutItem would — to start
     * from a state the ledger's own writes do not reach (e.g. an item older than fingerprints, which
     * has none). A record without recipients is stored without the map, as an item read back with
     * none would be.
     */
    public synchronized void put(JobRecord job) {
        Objects.requireNonNull(job.status(), "status");
        Item item = new Item(job.jobId());
        item.status = job.status();
        item.attempts = job.attempts();
        item.createdAt = millis(job.createdAt());
        item.updatedAt = millis(job.updatedAt());
        item.nextAttemptAt = millis(job.nextAttemptAt());
        item.expiresAt = millis(job.expiresAt());
        item.lastError = job.lastError();
        item.leaseOwner = job.leaseOwner();
        item.leaseUntil = millis(job.leaseUntil());
        item.messageId = job.messageId();
        if (!job.recipients().isEmpty()) {
            item.recipients = new HashMap<>();
            job.recipients().forEach((address, record) -> item.recipients.put(address, stored(record)));
        }
        item.archiveKey = job.archiveKey();
        item.fingerprint = job.fingerprint();
        items.put(job.jobId(), item);
    }

    /**
     * Test hook: the job's lease runs out now, whatever time the test's clock shows — {@code leaseUntil}
     * moves to the epoch, the owner stays. What follows is what follows in DynamoDB once a lease has
     * run out: any claim of the same payload is granted, a dead letter may be reconciled, and the old
     * owner can still record until another worker claims the job (recording checks the owner and the
     * status, not the time).
     *
     * @throws IllegalStateException when the job has no lease
     */
    public synchronized void expireLease(String jobId) {
        Item item = items.get(jobId);
        if (item == null || item.leaseUntil == null) {
            throw new IllegalStateException("job " + jobId + " holds no lease");
        }
        item.leaseUntil = Instant.EPOCH;
    }

    /** A recipient as DynamoDbLedger's item layout stores and reads it back. */
    private static RecipientRecord stored(RecipientRecord record) {
        Objects.requireNonNull(record.status(), "status");
        Integer replyCode = record.replyCode() != null && record.replyCode() == 0 ? null : record.replyCode();
        return new RecipientRecord(record.status(), replyCode, record.enhancedCode(), record.replyText(),
                record.mxHost(), record.attempts(), Objects.requireNonNull(millis(record.at()), "at"),
                record.signedBy(), record.suppression());
    }

    /** Instants are stored as epoch milliseconds. */
    private static Instant millis(Instant instant) {
        return instant == null ? null : Instant.ofEpochMilli(instant.toEpochMilli());
    }

    /** One job's attributes; an absent attribute is null (attempts absent reads as 0). */
    private static final class Item {
        private final String jobId;
        private JobStatus status;
        private int attempts;
        private Instant createdAt;
        private Instant updatedAt;
        private Instant nextAttemptAt;
        private Instant expiresAt;
        private String lastError;
        private String leaseOwner;
        private Instant leaseUntil;
        private String messageId;
        private Map<String, RecipientRecord> recipients;
        private String archiveKey;
        private PayloadFingerprint fingerprint;
        private String mail;
        private boolean announced;
        private int redrives;
        /** batch key → its events: DynamoDB's {@code events:<key>} attributes with {@code pendingEvents}. */
        private final Map<String, OutboxBatch> outbox = new java.util.TreeMap<>();

        private Item(String jobId) {
            this.jobId = jobId;
        }

        /** {@code attribute_not_exists(#fingerprint) OR #fingerprint = :fingerprint} */
        private boolean admits(PayloadFingerprint payload) {
            return fingerprint == null || fingerprint.equals(payload);
        }

        /** {@code attribute_not_exists(#leaseUntil) OR #leaseUntil < :now} */
        private boolean leaseEndedBy(Instant now) {
            return leaseUntil == null || leaseUntil.isBefore(now);
        }

        /** LedgerItems.keep: the events as one batch, and the mail object with them unless one is kept. */
        private void keep(String jobMail, List<OutboxEvent> events) {
            if (!events.isEmpty()) {
                mail = mail != null ? mail : Objects.requireNonNull(jobMail, "mail");
                OutboxBatch batch = OutboxBatch.of(events);
                outbox.put(batch.key(), batch);
            }
        }

        private JobRecord record() {
            return new JobRecord(jobId, status, attempts, createdAt, updatedAt, nextAttemptAt, expiresAt, lastError,
                    leaseOwner, leaseUntil, messageId, recipients, archiveKey, fingerprint, mail, announced,
                    List.copyOf(outbox.values()), redrives);
        }
    }
}
