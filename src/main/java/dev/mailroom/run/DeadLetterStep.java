package dev.mailroom.run;

import dev.mailroom.outbox.Outbox;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.Reconciliation;
import dev.mailroom.observe.JobLog;
import dev.mailroom.retry.DeadLetters;
import java.time.Clock;
import java.time.Instant;

/**
 * The dead-letter role's step for one message on the DLQ. Copies that Mailroom put there itself
 * (rejected or expired jobs, recognisable by their reason attribute) are already archived and
 * recorded. The others got there through the send queue's redrive policy — the send function
 * crashed or timed out on them again and again: their payload is archived and their ledger item
 * reconciled to DEAD_LETTERED with the reason "exceeded receive count", unless the job is already
 * terminal or its id belongs to another payload (that job is left alone; this payload stays in the
 * archive).
 */
public final class DeadLetterStep implements RecordStep {

    /** The DLQ's own receive count is no guide to how often the send function failed on it. */
    static final String REASON = "exceeded receive count";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ledger ledger;
    private final DeadLetters deadLetters;
    private final Outbox outbox;
    private final JobLog log;
    private final Clock clock;

    public DeadLetterStep(Ledger ledger, DeadLetters deadLetters, JobLog log, Clock clock) {
        this(ledger, deadLetters, Outbox.none(), log, clock);
    }

    /** @param outbox the Bounce events of the recipients a reconciliation expires, kept and published */
    public DeadLetterStep(Ledger ledger, DeadLetters deadLetters, Outbox outbox, JobLog log, Clock clock) {
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.log = log;
        this.clock = clock;
    }

    @Override
    public boolean acknowledge(QueueMessage message, Instant end) {
        if (message.attributes().containsKey(DeadLetters.REASON_ATTRIBUTE)) {
            return true;
        }
        try {
            String jobId = jobIdOf(message);
            String archiveKey = deadLetters.archive(jobId, message.body(), REASON);
            Reconciliation reconciled = ledger.reconcileDeadLetter(jobId, PayloadFingerprint.of(message.body()),
                    REASON, archiveKey, clock.instant(),
                    (after, expired) -> outbox.expired(after, expired, () -> JobIntake.read(message.body())));
            if (reconciled instanceof Reconciliation.Busy) {
                // A send worker still holds the job: this message comes back once its lease has run out.
                log.busy(jobId, "reconcile dead letter");
                return false;
            }
            if (reconciled instanceof Reconciliation.DeadLettered done) {
                done.job().ifPresent(outbox::flush);
            } else if (reconciled instanceof Reconciliation.LeftAlone alone) {
                outbox.flush(alone.job()); // a terminal job's last writer may have died before publishing
            }
            return true;
        } catch (RuntimeException e) {
            log.error(message.messageId(), "dead-letter", e);
            return false;
        }
    }

    /** The body's jobId if it has a readable one (it may be the very poison that crashed us). */
    private static String jobIdOf(QueueMessage message) {
        try {
            JsonNode body = JSON.readTree(message.body());
            if (body != null && body.path("jobId").isTextual()) {
                return body.get("jobId").asText();
            }
        } catch (Exception e) {
            // not JSON: fall back to the message id, which SQS keeps when it moves a message to the DLQ
        }
        return message.fallbackJobId();
    }
}
