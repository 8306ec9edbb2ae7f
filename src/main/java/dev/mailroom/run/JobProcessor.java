package dev.mailroom.run;

import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.Claim;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Recording;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.Metrics;
import dev.mailroom.retry.RetryPolicy;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One queue message, one job, one attempt: intake → claim → deliver the recipients still open →
 * record under the lease → acknowledge, retry after a backoff, or dead-letter. The same for every
 * runner: the Lambda handler and the worker's poller both call it through {@link SendStep}.
 *
 * <p>Invalid jobs are rejected (ledger REJECTED, payload to the DLQ) and acknowledged, never
 * retried. A job already terminal is acknowledged without sending, so a duplicate SQS delivery
 * produces one email. Recipients DELIVERED or FAILED are never sent again. A message whose job id
 * belongs to another payload is rejected the same way, and that job's record left alone. An attempt
 * that outlives its lease records nothing ({@link Verdict.LeaseLost}).
 */
public final class JobProcessor {

    /** The reason a payload under another job's id is rejected. */
    static final String REUSED_JOB_ID = "jobId: already used by another job";

    private final Stages stages;
    private final AttemptRules rules;
    private final JobLog log;
    private final Metrics metrics;

    public JobProcessor(Stages stages, AttemptRules rules, JobLog log, Metrics metrics) {
        this.stages = stages;
        this.rules = rules;
        this.log = log;
        this.metrics = metrics;
    }

    /**
     * @param fallbackJobId the job id when the body has none: a redrive's attribute, else the message id
     * @param budget        the attempt's time; delivery also ends {@link AttemptBudget#SAFETY_MARGIN}
     *                      before the lease does
     */
    public Verdict process(String body, String fallbackJobId, AttemptBudget budget) {
        IntakeResult intakeResult = stages.intake().accept(body, fallbackJobId);
        if (intakeResult instanceof IntakeResult.Rejected rejected) {
            return reject(rejected, body);
        }
        IntakeResult.Accepted accepted = (IntakeResult.Accepted) intakeResult;
        List<String> addresses = accepted.recipients().stream().map(r -> Attempt.key(r.getAddress())).toList();
        Claim claim = stages.ledger().claim(accepted.jobId(), PayloadFingerprint.of(body), rules.owners().get(),
                rules.lease(), addresses, accepted.job().expiresAt(), now());
        if (claim instanceof Claim.Conflict) {
            return rejectReusedId(accepted.jobId(), body);
        }
        if (claim instanceof Claim.Finished finished) {
            // Its last writer may have died before publishing: this message is its events' last trigger.
            stages.outbox().flush(finished.job());
            return new Verdict.Done();
        }
        if (claim instanceof Claim.Busy busy) {
            return new Verdict.RetryAfter(untilFree(busy.job()));
        }
        JobRecord job = ((Claim.Granted) claim).job();
        stages.outbox().flush(job);
        Instant start = now();
        return attempt(new Attempt(accepted, job, body, budget.withinLease(job.leaseUntil()), start,
                rules.retry().deadline(job.createdAt(), job.expiresAt())));
    }

    /** A busy job comes back when its lease ends, rather than after a whole visibility timeout. */
    private Duration untilFree(JobRecord job) {
        Instant leaseEnd = job.leaseUntil() == null ? now() : job.leaseUntil();
        Duration untilFree = Duration.between(now(), leaseEnd).plusSeconds(1);
        return untilFree.isNegative() ? Duration.ofSeconds(1) : untilFree;
    }

    private Verdict attempt(Attempt attempt) {
        JobRecord job = attempt.job();
        Optional<RetryPolicy.GiveUp> expired = rules.retry().beforeAttempt(job.attempts(), attempt.start(),
                attempt.expiry());
        if (expired.isPresent()) {
            return deadLetter(attempt, null, expired.get().reason());
        }
        List<InternetAddress> open = withoutSuppressed(attempt, attempt.open());
        // Known before composition, so a job whose composition fails (a missing attachment) has it too.
        String messageId = job.messageId() != null ? job.messageId()
                : MessageComposer.messageIdBeforeComposition(attempt.accepted().parsed()).orElse(null);
        if (!open.isEmpty()) {
            Composition composition = stages.engine().compose(attempt.accepted().parsed());
            Optional<String> refused = refusal(composition);
            if (refused.isPresent()) {
                return rejectClaimed(attempt, open, refused.get());
            }
            Optional<String> unsigned = unsignedFrom(composition);
            if (unsigned.isPresent()) {
                log.unsigned(job.jobId(), unsigned.get());
                metrics.unsignedMessage();
            }
            DeliveryReport report = stages.engine().deliver(composition,
                    attempt.accepted().envelope().withRecipients(open), attempt.budget().deliverBy(),
                    (id, results) -> recordProgress(attempt, id, results));
            messageId = report.messageId() != null ? report.messageId() : messageId;
            for (RecipientResult result : report.results()) {
                log.recipient(job.jobId(), result);
                attempt.settle(result, now());
                addToSuppressionList(job.jobId(), result);
            }
        }
        return conclude(attempt, messageId);
    }

    // ---- the suppression stage (Suppressions): after the claim, before composition

    /**
     * The recipients of {@code open} on the suppression list are settled SUPPRESSED (never sent); the
     * rest are returned. One batched read for the whole job. A job left with nobody to send to opens
     * no SMTP session, and ends FAILED (every recipient failed for good) or PARTIAL.
     */
    private List<InternetAddress> withoutSuppressed(Attempt attempt, List<InternetAddress> open) {
        Map<String, Suppression> suppressed = stages.suppressions().check(open, attempt.accepted().job().tags(), now());
        if (suppressed.isEmpty()) {
            return open;
        }
        return open.stream().filter(recipient -> {
            Suppression entry = suppressed.get(Suppressions.key(recipient.getAddress()));
            if (entry == null) {
                return true;
            }
            attempt.suppress(recipient, entry, now());
            log.suppressed(attempt.jobId(), entry.address(), entry.reason().name(), entry.scope().toString());
            return false;
        }).toList();
    }

    /** A dead mailbox found at SMTP time goes on the list; trouble with the list never fails the job. */
    private void addToSuppressionList(String jobId, RecipientResult result) {
        try {
            stages.suppressions().afterDelivery(jobId, result, now()).ifPresent(entry -> log.suppressionAdded(jobId,
                    entry.address(), entry.reason().name(), entry.scope().toString()));
        } catch (RuntimeException e) {
            log.error(jobId, "add to the suppression list", e);
        }
    }

    /** The From domain of a message that goes out unsigned (no key signs for it); empty when signed. */
    private static Optional<String> unsignedFrom(Composition composition) {
        if (composition instanceof Composition.Ready ready && !ready.signed().isSigned()) {
            return Optional.of(ready.signed().fromDomain());
        }
        if (composition instanceof Composition.PerRecipient perRecipient && !perRecipient.signed()) {
            return Optional.of(perRecipient.fromDomain());
        }
        return Optional.empty();
    }

    /** A raw message's own sender fields are only known once it is read: intake's last word on it. */
    private Optional<String> refusal(Composition composition) {
        return composition instanceof Composition.Ready ready
                ? stages.intake().checkSenderFields(ready.message().storedHeaders())
                : Optional.empty();
    }

    /**
     * A transaction ended while others of the job still run (another domain, say): its deliveries
     * are written at once, under the lease, so that a crash during the slower ones cannot send them
     * again. Failing that, the final write carries them as before.
     */
    private void recordProgress(Attempt attempt, String messageId, List<RecipientResult> results) {
        Map<String, RecipientRecord> ended = new HashMap<>();
        for (RecipientResult result : results) {
            ended.put(Attempt.key(result.address()), attempt.settle(result, now()));
        }
        if (ended.values().stream().noneMatch(r -> r.status() == RecipientStatus.DELIVERED)) {
            return; // nothing that could be sent twice
        }
        try {
            if (written(attempt, attempt.progress(messageId, ended, now()), attempt.budget().deliverBy(),
                    "record progress")) {
                attempt.written(ended.keySet());
            }
        } catch (RuntimeException e) {
            log.error(attempt.jobId(), "record progress", e);
        }
    }

    private Verdict conclude(Attempt attempt, String messageId) {
        Map<String, RecipientRecord> updates = attempt.outcomes();
        Map<String, RecipientRecord> all = attempt.allRecipients();
        Instant now = now();
        if (all.values().stream().anyMatch(r -> !r.status().isFinal())) {
            RetryPolicy.Decision decision = rules.retry().afterAttempt(attempt.job().attempts(), now, attempt.expiry(),
                    rules.jitter());
            if (decision instanceof RetryPolicy.GiveUp giveUp) {
                return deadLetter(attempt, messageId, giveUp.reason());
            }
            Duration delay = ((RetryPolicy.RetryAfter) decision).delay();
            Verdict recorded = record(attempt, attempt.deferred(messageId, now.plus(delay), lastError(updates), now));
            return recorded instanceof Verdict.Done ? new Verdict.RetryAfter(delay) : recorded;
        }
        return record(attempt, attempt.finished(finalStatus(all), messageId, lastError(updates), now));
    }

    private Verdict deadLetter(Attempt attempt, String messageId, String reason) {
        Instant now = now();
        // Transitions only: this attempt's outcomes, and the recipients still open, now expired.
        // Those settled by earlier attempts stay as recorded, and are not counted again.
        Map<String, RecipientRecord> transitions = new HashMap<>(attempt.outcomes());
        attempt.job().recipients().forEach((address, record) -> {
            if (!record.status().isFinal()) {
                transitions.putIfAbsent(address, record);
            }
        });
        transitions.replaceAll((address, record) -> record.status().isFinal() ? record : record.expired(now));
        // Archive and DLQ first: if the ledger write fails, the message comes back and nothing is lost.
        String archiveKey = stages.deadLetters().send(attempt.jobId(), attempt.body(), reason);
        return record(attempt, attempt.deadLettered(transitions, messageId, reason, archiveKey, now()));
    }

    /**
     * A claimed job found invalid only once its message was read: rejected as intake rejects, its
     * payload to the DLQ with the reason, and recorded REJECTED under the lease; nothing was sent.
     */
    private Verdict rejectClaimed(Attempt attempt, List<InternetAddress> open, String reason) {
        JobRecord job = attempt.job();
        String archiveKey = deadLetterRejected(job.jobId(), attempt.body(), reason);
        Instant now = now();
        // None of them will ever be sent: each says so, with the reason, rather than stay PENDING.
        Map<String, RecipientRecord> refused = new HashMap<>(attempt.outcomes()); // those suppressed stay so
        open.forEach(recipient -> {
            RecipientRecord previous = job.recipient(recipient.getAddress());
            refused.put(Attempt.key(recipient.getAddress()), new RecipientRecord(RecipientStatus.FAILED, null, null,
                    reason, null, previous == null ? 0 : previous.attempts(), now));
        });
        AttemptResult rejected = attempt.rejected(refused, reason, archiveKey, now);
        if (!written(attempt, rejected, attempt.budget().recordBy(), "record rejection")) {
            return new Verdict.LeaseLost(job.jobId());
        }
        countRejection(job.jobId(), reason);
        return new Verdict.Done();
    }

    private Verdict reject(IntakeResult.Rejected rejected, String body) {
        String archiveKey = deadLetterRejected(rejected.jobId(), body, rejected.reason());
        stages.ledger().reject(rejected.jobId(), PayloadFingerprint.of(body), rejected.reason(), archiveKey, now());
        countRejection(rejected.jobId(), rejected.reason());
        return new Verdict.Done();
    }

    /**
     * The id is another job's: acknowledging this payload without sending would lose it, sending it
     * would mix it into that job. Like any rejection it goes to the DLQ (and the archive) with its
     * reason, logged and counted; the ledger item stays the other job's, unwritten.
     */
    private Verdict rejectReusedId(String jobId, String body) {
        deadLetterRejected(jobId, body, REUSED_JOB_ID);
        countRejection(jobId, REUSED_JOB_ID);
        return new Verdict.Done();
    }

    /** Every rejection's payload goes to the DLQ and the archive first; returns the archive key. */
    private String deadLetterRejected(String jobId, String body, String reason) {
        return stages.deadLetters().send(jobId, body, "rejected: " + reason);
    }

    private void countRejection(String jobId, String reason) {
        log.rejected(jobId, reason);
        metrics.emit(Metrics.JobCounts.rejection());
    }

    /**
     * Writes the attempt's conclusion under the lease, then logs it and counts its transitions, once.
     *
     * @return Done when written; LeaseLost when the lease had passed to another worker (nothing counted)
     */
    private Verdict record(Attempt attempt, AttemptResult result) {
        if (!written(attempt, result, attempt.budget().recordBy(), "record " + result.status())) {
            return new Verdict.LeaseLost(attempt.jobId());
        }
        long latency = Duration.between(attempt.start(), result.now()).toMillis();
        log.attempt(attempt.jobId(), attempt.job().attempts(), result.status().name(), result.lastError(), latency);
        Map<String, RecipientRecord> updates = result.recipients();
        metrics.emit(Metrics.JobCounts.attempt(count(updates, RecipientStatus.DELIVERED),
                count(updates, RecipientStatus.DEFERRED), count(updates, RecipientStatus.FAILED),
                result.status() == JobStatus.DEAD_LETTERED, latency));
        return new Verdict.Done();
    }

    /**
     * Writes {@code result} under the lease, by {@code deadline}, with the events of its transitions
     * (and the job's Send, if no write has kept it yet); then publishes what the item's outbox holds.
     * A publish that fails holds nothing back: the events wait in the item for the next flush of the
     * job or the sweeper.
     *
     * @return false when the lease had passed to another worker: nothing was written, and the loss
     *         is logged as the routine it is
     */
    private boolean written(Attempt attempt, AttemptResult result, Deadline deadline, String what) {
        AttemptResult withEvents = stages.outbox().withEvents(attempt.accepted().job(), attempt.job(), result,
                attempt.announces());
        Recording recording = stages.ledger().record(withEvents, deadline);
        if (recording instanceof Recording.LeaseLost) {
            log.leaseLost(result.jobId(), what);
            return false;
        }
        if (withEvents.announces()) {
            attempt.announced();
        }
        ((Recording.Recorded) recording).job().ifPresent(stages.outbox()::flush);
        return true;
    }

    private Instant now() {
        return rules.clock().instant();
    }

    private static JobStatus finalStatus(Map<String, RecipientRecord> all) {
        long delivered = all.values().stream().filter(r -> r.status() == RecipientStatus.DELIVERED).count();
        if (delivered == all.size()) {
            return JobStatus.DELIVERED;
        }
        return delivered > 0 ? JobStatus.PARTIAL : JobStatus.FAILED;
    }

    private static String lastError(Map<String, RecipientRecord> updates) {
        return updates.entrySet().stream()
                .filter(e -> e.getValue().status() != RecipientStatus.DELIVERED)
                .map(e -> e.getKey() + ": " + (e.getValue().replyCode() == null ? "" : e.getValue().replyCode() + " ")
                        + (e.getValue().enhancedCode() == null ? "" : e.getValue().enhancedCode() + " ")
                        + e.getValue().replyText())
                .findFirst().orElse(null);
    }

    private static int count(Map<String, RecipientRecord> updates, RecipientStatus status) {
        return (int) updates.values().stream().filter(r -> r.status() == status).count();
    }
}
