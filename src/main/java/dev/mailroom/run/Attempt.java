package dev.mailroom.run;

import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One attempt at a claimed job: what intake accepted, the job as the claim found it, the payload,
 * the attempt's time, and the recipients' outcomes as its transactions end. Shared with the SMTP
 * threads, which report each transaction as it ends ({@link #settle}).
 *
 * @param job     the job as the claim returned it: the lease is {@code job.leaseOwner()}'s
 * @param budget  the attempt's time, already within the lease
 * @param start   when the claim was granted
 * @param expiry  the job's deadline ({@code RetryPolicy.deadline})
 */
record Attempt(IntakeResult.Accepted accepted, JobRecord job, String body, AttemptBudget budget, Instant start,
               Instant expiry, Map<String, RecipientRecord> outcomes) {

    Attempt(IntakeResult.Accepted accepted, JobRecord job, String body, AttemptBudget budget, Instant start,
            Instant expiry) {
        this(accepted, job, body, budget, start, expiry, new ConcurrentHashMap<>());
    }

    String jobId() {
        return job.jobId();
    }

    /** The recipients still to deliver: every envelope recipient not yet DELIVERED or FAILED. */
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

    /** The job's recipients with this attempt's outcomes applied. */
    Map<String, RecipientRecord> allRecipients() {
        Map<String, RecipientRecord> all = new HashMap<>(job.recipients());
        all.putAll(outcomes);
        return all;
    }

    /** An intermediate write of some recipients' outcomes; the job stays SENDING, the lease held. */
    AttemptResult progress(String messageId, Map<String, RecipientRecord> ended, Instant now) {
        return new AttemptResult(jobId(), job.leaseOwner(), JobStatus.SENDING, messageId, ended, null, null, null,
                now, true);
    }

    /**
     * The attempt's last write.
     *
     * @param transitions   the recipient records this write changes
     * @param nextAttemptAt when the job runs again (DEFERRED), else null
     * @param attempted     whether this claim tried to deliver (README: Statuses, {@code attempts})
     */
    AttemptResult conclusion(JobStatus status, Map<String, RecipientRecord> transitions, String messageId,
                             Instant nextAttemptAt, String lastError, String archiveKey, Instant now,
                             boolean attempted) {
        return new AttemptResult(jobId(), job.leaseOwner(), status, messageId, transitions, nextAttemptAt, lastError,
                archiveKey, now, attempted);
    }

    static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    private static boolean isSettled(RecipientRecord record) {
        return record != null && (record.status() == RecipientStatus.DELIVERED || record.status() == RecipientStatus.FAILED);
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
                outcome.diagnosis().text(), outcome.mxHost(), attempts, now);
    }
}
