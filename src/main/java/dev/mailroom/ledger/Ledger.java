package dev.mailroom.ledger;

import dev.mailroom.budget.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The durable record of every job and recipient. Every write is conditional (DESIGN.md §3):
 * claiming needs the job new, queued, deferred or with an expired lease; recording needs the
 * caller to still hold the lease.
 */
public interface Ledger {

    /**
     * Claims a job for one attempt, creating its record on first sight. The record keeps the
     * payload's fingerprint: under the same id, only the same payload is ever granted, and another
     * one gets {@link Claim.Conflict} without the record changing.
     *
     * @param fingerprint the payload of the message at hand
     * @param recipients  the job's envelope recipients (used only when the record is new)
     * @param expiresAt   the job's own expiry, or null
     */
    Claim claim(String jobId, PayloadFingerprint fingerprint, String owner, Duration lease, List<String> recipients,
                Instant expiresAt, Instant now);

    /**
     * Writes an attempt's outcome, conditioned on {@code result.owner()} holding the lease; a
     * non-terminal, non-SENDING status releases it. Throttling, server errors and timeouts are
     * retried until {@code giveUpAt}: this write is what keeps delivered recipients from being sent
     * again, so it rides out an outage for as long as the caller can wait.
     *
     * @param giveUpAt no try starts or outlasts it
     * @return {@link Recording.LeaseLost} when the lease is no longer the caller's
     */
    Recording record(AttemptResult result, Deadline giveUpAt);

    /** {@link #record(AttemptResult, Deadline)} with only the client's own retries. */
    default Recording record(AttemptResult result) {
        return record(result, Deadline.immediately());
    }

    /**
     * Records an invalid job as REJECTED, with its payload's fingerprint, unless the job id already
     * names another job: one in another state, or a rejected one with another payload.
     */
    void reject(String jobId, PayloadFingerprint fingerprint, String reason, String archiveKey, Instant now);

    /**
     * Marks a job DEAD_LETTERED with its reason (remaining recipients EXPIRED) unless it is already
     * terminal, or the id belongs to another payload (whose job this one must not end, nor point
     * its redrive at this archive); used by the dead-letter role for jobs that reached the DLQ
     * by redrive. The write is conditioned on the job not having changed since it was read and on
     * no live lease: a worker may still be on the job.
     *
     * @param fingerprint the payload that reached the DLQ
     * @return {@link Reconciliation.DeadLettered} if this call changed the job,
     *         {@link Reconciliation.LeftAlone} if there was nothing to do, {@link Reconciliation.Busy}
     *         if the job is leased (or changed meanwhile) and should be reconciled later
     */
    Reconciliation reconcileDeadLetter(String jobId, PayloadFingerprint fingerprint, String reason, String archiveKey,
                                Instant now, ExpiryEvents events);

    /** {@link #reconcileDeadLetter(String, PayloadFingerprint, String, String, Instant, ExpiryEvents)} keeping no events. */
    default Reconciliation reconcileDeadLetter(String jobId, PayloadFingerprint fingerprint, String reason,
                                               String archiveKey, Instant now) {
        return reconcileDeadLetter(jobId, fingerprint, reason, archiveKey, now, (job, expired) -> Kept.NONE);
    }

    /** The events of a reconciliation's transitions, kept in its write. */
    @FunctionalInterface
    interface ExpiryEvents {
        /**
         * @param after   the job as the reconciliation leaves it
         * @param expired the recipients it turns EXPIRED
         */
        Kept of(JobRecord after, java.util.Set<String> expired);
    }

    /**
     * Events a write keeps.
     *
     * @param mail      the job's SES mail object, kept if the item holds none yet; null if it does
     * @param announces whether {@code events} holds the job's Send (the item then says so)
     */
    record Kept(String mail, List<OutboxEvent> events, boolean announces) {
        public static final Kept NONE = new Kept(null, List.of(), false);

        public Kept {
            events = List.copyOf(events);
        }
    }

    /**
     * Resets a dead-lettered job so it can be sent again: attempts 0, expired recipients pending (each
     * keeping its own attempt count, which names its events: {@link RecipientRecord#reopened}), status
     * QUEUED. A job already QUEUED (a redrive whose re-enqueue failed) may be reset again.
     */
    void resetForRedrive(String jobId, Instant now);

    /**
     * Records what a report that came back after the 250 says of one recipient ({@code record}:
     * BOUNCED or COMPLAINED), conditioned on the ledger holding that recipient DELIVERED; nothing
     * else of the job changes.
     *
     * @param recipient the recipient's key, as the ledger holds it
     * @param events    the transition's events, kept in the same write (the item holds the mail object)
     * @return the job after the write; empty when nothing was written: the job or recipient is missing
     *         or no longer DELIVERED (a report seen twice, a bounce after a complaint)
     */
    Optional<JobRecord> recordAfterDelivery(String jobId, String recipient, RecipientRecord record, Instant now,
                                            List<OutboxEvent> events);

    /**
     * Keeps events that change no status (a Subscription) with the job's item, which holds its mail
     * object; the same event kept twice is one (its id names its attribute).
     *
     * @return the job after the write; empty when the ledger has no such job
     */
    Optional<JobRecord> recordEvents(String jobId, List<OutboxEvent> events);

    /**
     * Drops published batches ({@link OutboxBatch#key}) from the job's outbox. Unconditional but for
     * the job's existence: a batch is removed only by its key, so a write that kept new events
     * meanwhile keeps them.
     */
    void markPublished(String jobId, Collection<String> batchKeys);

    /** Every job whose outbox holds events (the sweeper's scan: events a crashed writer left behind). */
    void forEachWithPendingEvents(Consumer<JobRecord> action);

    Optional<JobRecord> find(String jobId);
}
