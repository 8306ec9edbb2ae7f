package dev.mailroom.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one attempt concluded, to be written under the lease.
 *
 * @param recipients    only the recipients this attempt touched (address → new record)
 * @param nextAttemptAt     when the job runs again, for DEFERRED; null otherwise
 * @param deliveryAttempted false when the claim ended without trying to deliver (the job had
 *                          expired, or nothing was left to send): the attempt the claim counted is
 *                          given back, so that {@code attempts} counts delivery attempts made
 * @param mail              the job's SES {@code mail} object (JSON) the events complete with; null
 *                          when {@code events} is empty
 * @param events            the events of this write's transitions, kept in the same write
 * @param announces         whether {@code events} holds the job's Send event (the item then says so)
 */
public record AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                            Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                            String archiveKey, Instant now, boolean deliveryAttempted, String mail,
                            List<OutboxEvent> events, boolean announces) {

    public AttemptResult {
        recipients = Map.copyOf(recipients);
        events = List.copyOf(events);
        if (!events.isEmpty() && mail == null) {
            throw new IllegalArgumentException("events need the job's mail object");
        }
    }

    /** An outcome whose transitions have no events (yet: {@link #withEvents}). */
    public AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                         Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                         String archiveKey, Instant now, boolean deliveryAttempted) {
        this(jobId, owner, status, messageId, recipients, nextAttemptAt, lastError, archiveKey, now,
                deliveryAttempted, null, List.of(), false);
    }

    /** This outcome with its transitions' events, to be kept in the same write. */
    public AttemptResult withEvents(String mail, List<OutboxEvent> events, boolean announces) {
        return new AttemptResult(jobId, owner, status, messageId, recipients, nextAttemptAt, lastError, archiveKey,
                now, deliveryAttempted, mail, events, announces);
    }

    /** The outcome of an attempt that delivered (or tried to). */
    public AttemptResult(String jobId, String owner, JobStatus status, String messageId,
                         Map<String, RecipientRecord> recipients, Instant nextAttemptAt, String lastError,
                         String archiveKey, Instant now) {
        this(jobId, owner, status, messageId, recipients, nextAttemptAt, lastError, archiveKey, now, true);
    }
}
