package dev.mailroom.run;

import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.job.AddressForm;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Suppression;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt at a claimed job: what intake accepted, the job as the claim found it, the payload,
 * the attempt's time, and the recipients' outcomes as its transactions end. Shared with the SMTP
 * threads, which report each transaction as it ends ({@link #settle}).
 *
 * <p>{@code job} is the job as the claim returned it (the lease is {@code job.leaseOwner()}'s);
 * {@code budget} the attempt's time, already within the lease; {@code start} when the claim was
 * granted; {@code expiry} the job's deadline ({@code RetryPolicy.deadline}).
 */
final class Attempt {

    private final IntakeResult.Accepted accepted;
    private final JobRecord job;
    private final String body;
    private final AttemptBudget budget;
    private final Instant start;
    private final Instant expiry;
    /** Address (lower case) → the record this attempt settled it with; written by the SMTP threads too. */
    private final Map<String, RecipientRecord> outcomes = new ConcurrentHashMap<>();
    /**
     * Recipients whose outcome a progress write already holds: the last write leaves them out, so that
     * what bounce intake recorded for them meanwhile (BOUNCED, COMPLAINED) is not written back.
     */
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    /** Whether a write of this attempt kept the job's Send event (the claimed item had none). */
    private final AtomicBoolean announced = new AtomicBoolean();

    Attempt(IntakeResult.Accepted accepted, JobRecord job, String body, AttemptBudget budget, Instant start,
            Instant expiry) {
        this.accepted = accepted;
        this.job = job;
        this.body = body;
        this.budget = budget;
        this.start = start;
        this.expiry = expiry;
    }

    IntakeResult.Accepted accepted() {
        return accepted;
    }

    JobRecord job() {
        return job;
    }

    String body() {
        return body;
    }

    AttemptBudget budget() {
        return budget;
    }

    Instant start() {
        return start;
    }

    Instant expiry() {
        return expiry;
    }

    /** The outcomes settled so far, as a view: the final write carries them. */
    Map<String, RecipientRecord> outcomes() {
        return Collections.unmodifiableMap(outcomes);
    }

    String jobId() {
        return job.jobId();
    }

    /** The recipients still to deliver: every envelope recipient not yet DELIVERED, FAILED or SUPPRESSED. */
    List<InternetAddress> open() {
        return accepted.recipients().stream().filter(r -> !isSettled(job.recipient(r.getAddress()))).toList();
    }

    /**
     * A recipient's outcome, recorded once. A transaction's results arrive twice — from the engine's
     * listener when the transaction ends while others still run, and in the final report — and the
     * first, timed when the transaction ended, is the one kept.
     *
     * @return the recipient's record in this attempt
     */
    RecipientRecord settle(RecipientResult result, Instant now) {
        return outcomes.computeIfAbsent(key(result.address()),
                address -> recordOf(result, job.recipient(result.address()), now));
    }

    /** Settles a recipient the suppression list holds: recorded SUPPRESSED, never sent. */
    RecipientRecord suppress(InternetAddress recipient, Suppression entry, Instant now) {
        RecipientRecord previous = job.recipient(recipient.getAddress());
        return outcomes.computeIfAbsent(key(recipient.getAddress()),
                address -> RecipientRecord.suppressed(entry, previous == null ? 0 : previous.attempts(), now));
    }

    /** The job's recipients with this attempt's outcomes applied. */
    Map<String, RecipientRecord> allRecipients() {
        Map<String, RecipientRecord> all = new HashMap<>(job.recipients());
        all.putAll(outcomes);
        return all;
    }

    /** Whether this attempt's next write keeps the job's Send event: neither the item nor an earlier write has it. */
    boolean announces() {
        return !job.announced() && !announced.get();
    }

    /** A write that kept the Send event was recorded. */
    void announced() {
        announced.set(true);
    }

    /** The progress write of these recipients (ledger keys) was recorded. */
    void written(Collection<String> recipients) {
        written.addAll(recipients);
    }

    /** This attempt's outcomes that no progress write holds yet: what the last write carries. */
    private Map<String, RecipientRecord> unwritten() {
        Map<String, RecipientRecord> rest = new HashMap<>(outcomes);
        rest.keySet().removeAll(written);
        return rest;
    }

    /** An intermediate write of some recipients' outcomes; the job stays SENDING, the lease held. */
    AttemptResult progress(String messageId, Map<String, RecipientRecord> ended, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), JobStatus.SENDING, messageId, ended, null, null, null,
                now, true);
    }

    /** The attempt's last write when recipients remain: the job runs again at {@code nextAttemptAt}. */
    AttemptResult deferred(String messageId, Instant nextAttemptAt, String lastError, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), JobStatus.DEFERRED, messageId, unwritten(), nextAttemptAt,
                lastError, null, now, true);
    }

    /**
     * The attempt's last write when every recipient is settled.
     *
     * @param status DELIVERED, PARTIAL or FAILED
     */
    AttemptResult finished(JobStatus status, String messageId, String lastError, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), status, messageId, unwritten(), null, lastError, null, now,
                offeredAny());
    }

    /** The attempt's last write when the job gives up: its payload is in the archive under {@code archiveKey}. */
    AttemptResult deadLettered(Map<String, RecipientRecord> transitions, String messageId, String reason,
                               String archiveKey, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), JobStatus.DEAD_LETTERED, messageId, transitions, null,
                reason, archiveKey, now, offeredAny());
    }

    /** The attempt's last write when the job's own message fails intake's last check; nothing was sent. */
    AttemptResult rejected(Map<String, RecipientRecord> refused, String reason, String archiveKey, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), JobStatus.REJECTED, job.messageId(), refused, null, reason,
                archiveKey, now, false);
    }

    /** The ledger's key of a recipient: its normal form ({@link AddressForm#key}). */
    static String key(String address) {
        return AddressForm.key(address);
    }

    /** Whether this attempt went to delivery for anyone: a recipient only suppressed was never offered. */
    private boolean offeredAny() {
        return outcomes.values().stream().anyMatch(r -> r.status() != RecipientStatus.SUPPRESSED);
    }

    /** Final for this job: delivered (and perhaps since BOUNCED or COMPLAINED), failed, suppressed; not EXPIRED (a redrive reopens it). */
    private static boolean isSettled(RecipientRecord record) {
        return record != null && record.status().isFinal() && record.status() != RecipientStatus.EXPIRED;
    }

    private static RecipientRecord recordOf(RecipientResult result, RecipientRecord previous, Instant now) {
        Outcome outcome = result.outcome();
        RecipientStatus status;
        if (outcome instanceof Outcome.Delivered) {
            status = RecipientStatus.DELIVERED;
        } else if (outcome instanceof Outcome.Permanent) {
            status = RecipientStatus.FAILED;
        } else {
            status = RecipientStatus.DEFERRED;
        }
        int attempts = (previous == null ? 0 : previous.attempts()) + 1;
        Integer replyCode = outcome.diagnosis().hasReply() ? outcome.diagnosis().replyCode() : null;
        return new RecipientRecord(status, replyCode, outcome.diagnosis().enhancedCode(),
                outcome.diagnosis().text(), outcome.mxHost(), attempts, now, result.signedBy());
    }
}
