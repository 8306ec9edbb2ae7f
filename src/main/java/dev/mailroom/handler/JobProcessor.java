package dev.mailroom.handler;

import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.Claim;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.Metrics;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.RetryPolicy;
import jakarta.mail.internet.InternetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One queue message, one job, one attempt: intake → claim → deliver the recipients still open →
 * record under the lease → acknowledge, retry after a backoff, or dead-letter.
 *
 * <p>Invalid jobs are rejected (ledger REJECTED, payload to the DLQ) and acknowledged, never
 * retried. A job already terminal is acknowledged without sending, so a duplicate SQS delivery
 * produces one email. Recipients DELIVERED or FAILED are never sent again. A message whose job id
 * belongs to another payload is rejected the same way, and that job's record left alone.
 */
public final class JobProcessor {

    /** The reason a payload under another job's id is rejected. */
    static final String REUSED_JOB_ID = "jobId: already used by another job";

    private final JobIntake intake;
    private final Ledger ledger;
    private final DeliveryEngine engine;
    private final RetryPolicy retry;
    private final DeadLetters deadLetters;
    private final JobLog log;
    private final Metrics metrics;
    private final Clock clock;
    private final RandomGenerator random;
    private final Supplier<String> owners;
    private final Duration lease;

    public JobProcessor(JobIntake intake, Ledger ledger, DeliveryEngine engine, RetryPolicy retry,
                        DeadLetters deadLetters, JobLog log, Metrics metrics, Clock clock, RandomGenerator random,
                        Supplier<String> owners, Duration lease) {
        this.intake = intake;
        this.ledger = ledger;
        this.engine = engine;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
        this.random = random;
        this.owners = owners;
        this.lease = lease;
    }

    /**
     * @param fallbackJobId the job id when the body has none: a redrive's attribute, else the message id
     * @param deliverBy     no delivery runs past it (nor past the lease less {@link SendHandler#SAFETY_MARGIN})
     * @param recordBy      the ledger write after the delivery gives up at this instant
     */
    public Verdict process(String body, String fallbackJobId, Instant deliverBy, Instant recordBy) {
        IntakeResult intakeResult = intake.accept(body, fallbackJobId);
        if (intakeResult instanceof IntakeResult.Rejected rejected) {
            return reject(rejected, body);
        }
        IntakeResult.Accepted accepted = (IntakeResult.Accepted) intakeResult;
        List<String> addresses = accepted.recipients().stream().map(r -> key(r.getAddress())).toList();
        // A fresh owner per attempt: nothing of a lease is shared between attempts, containers, or
        // environments restored from one SnapStart snapshot.
        Claim claim = ledger.claim(accepted.jobId(), PayloadFingerprint.of(body), owners.get(), lease, addresses,
                accepted.job().expiresAt(), clock.instant());
        if (claim instanceof Claim.Conflict) {
            return rejectReusedId(accepted.jobId(), body);
        }
        if (claim instanceof Claim.Finished) {
            return new Verdict.Done();
        }
        if (claim instanceof Claim.Busy busy) {
            // Come back when the lease ends rather than after a whole visibility timeout.
            Instant leaseEnd = busy.job().leaseUntil() == null ? clock.instant() : busy.job().leaseUntil();
            Duration untilFree = Duration.between(clock.instant(), leaseEnd).plusSeconds(1);
            return new Verdict.RetryAfter(untilFree.isNegative() ? Duration.ofSeconds(1) : untilFree);
        }
        JobRecord job = ((Claim.Granted) claim).job();
        // The ledger write must land while the lease holds, or another worker may send again.
        Instant leaseDeliverBy = job.leaseUntil().minus(SendHandler.SAFETY_MARGIN);
        return attempt(accepted, job, body, new Times(earliest(deliverBy, leaseDeliverBy), recordBy));
    }

    /** The attempt's two deadlines: for SMTP, and for the ledger write that follows. */
    private record Times(Instant deliverBy, Instant recordBy) {
    }

    /** A raw message's own sender fields are only known once it is read: intake's last word on it. */
    private Optional<String> refusal(Composition composition) {
        return composition instanceof Composition.Ready ready
                ? intake.checkSenderFields(ready.message().storedHeaders())
                : Optional.empty();
    }

    /**
     * A claimed job found invalid only once its message was read: rejected as intake rejects, its
     * payload to the DLQ with the reason, and recorded REJECTED under the lease; nothing was sent.
     */
    private Verdict rejectClaimed(JobRecord job, List<InternetAddress> open, String reason, String body,
                                  Times times) {
        String archiveKey = deadLetterRejected(job.jobId(), body, reason);
        Instant now = clock.instant();
        // None of them will ever be sent: each says so, with the reason, rather than stay PENDING.
        Map<String, RecipientRecord> refused = new HashMap<>();
        open.forEach(recipient -> {
            RecipientRecord previous = job.recipient(recipient.getAddress());
            refused.put(key(recipient.getAddress()), new RecipientRecord(RecipientStatus.FAILED, null, null, reason, null,
                    previous == null ? 0 : previous.attempts(), now));
        });
        held(ledger.record(new AttemptResult(job.jobId(), job.leaseOwner(), JobStatus.REJECTED, job.messageId(), refused,
                null, reason, archiveKey, now, false), new Deadline(times.recordBy(), clock)));
        countRejection(job.jobId(), reason);
        return new Verdict.Done();
    }

    private Verdict reject(IntakeResult.Rejected rejected, String body) {
        String archiveKey = deadLetterRejected(rejected.jobId(), body, rejected.reason());
        ledger.reject(rejected.jobId(), PayloadFingerprint.of(body), rejected.reason(), archiveKey, clock.instant());
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
        return deadLetters.send(jobId, body, "rejected: " + reason);
    }

    private void countRejection(String jobId, String reason) {
        log.rejected(jobId, reason);
        metrics.emit(new Metrics.JobCounts(0, 0, 0, 1, 0, 0));
    }

    private Verdict attempt(IntakeResult.Accepted accepted, JobRecord job, String body, Times times) {
        Instant start = clock.instant();
        Instant expiry = retry.deadline(job.createdAt(), job.expiresAt());
        if (!start.isBefore(expiry) || job.attempts() > retry.maxAttempts()) {
            String reason = !start.isBefore(expiry) ? "expired: deadline " + expiry + " passed"
                    : "max attempts reached (" + (job.attempts() - 1) + " of " + retry.maxAttempts() + ")";
            return deadLetter(job, Map.of(), null, body, reason, start, times);
        }
        List<InternetAddress> open = accepted.recipients().stream()
                .filter(r -> !isSettled(job.recipient(r.getAddress())))
                .toList();
        Map<String, RecipientRecord> updates = new ConcurrentHashMap<>();
        // Known before composition, so a job whose composition fails (a missing attachment) has it too.
        String messageId = job.messageId() != null ? job.messageId()
                : MessageComposer.messageIdBeforeComposition(accepted.job()).orElse(null);
        if (!open.isEmpty()) {
            Composition composition = engine.compose(accepted.job());
            Optional<String> refused = refusal(composition);
            if (refused.isPresent()) {
                return rejectClaimed(job, open, refused.get(), body, times);
            }
            DeliveryReport report = engine.deliver(composition, accepted.envelope().withRecipients(open),
                    new Deadline(times.deliverBy(), clock), (id, results) -> recordProgress(job, id, results, updates, times));
            messageId = report.messageId() != null ? report.messageId() : messageId;
            for (RecipientResult result : report.results()) {
                log.recipient(job.jobId(), result);
                updates.computeIfAbsent(key(result.address()),
                        address -> recordOf(result, job.recipient(result.address()), clock.instant()));
            }
        }
        return conclude(job, updates, messageId, body, start, times);
    }

    /**
     * A transaction ended while others of the job still run (another domain, say): its deliveries
     * are written at once, under the lease, so that a crash during the slower ones cannot send them
     * again. Failing that, the final write carries them as before.
     */
    private void recordProgress(JobRecord job, String messageId, List<RecipientResult> results,
                                Map<String, RecipientRecord> updates, Times times) {
        Map<String, RecipientRecord> ended = new HashMap<>();
        for (RecipientResult result : results) {
            RecipientRecord record = recordOf(result, job.recipient(result.address()), clock.instant());
            ended.put(key(result.address()), record);
            updates.put(key(result.address()), record);
        }
        if (ended.values().stream().noneMatch(r -> r.status() == RecipientStatus.DELIVERED)) {
            return; // nothing that could be sent twice
        }
        try {
            held(ledger.record(new AttemptResult(job.jobId(), job.leaseOwner(), JobStatus.SENDING, messageId, ended, null,
                    null, null, clock.instant()), new Deadline(times.deliverBy(), clock)));
        } catch (RuntimeException e) {
            log.error(job.jobId(), "record progress", e);
        }
    }

    private Verdict conclude(JobRecord job, Map<String, RecipientRecord> updates, String messageId, String body,
                             Instant start, Times times) {
        Map<String, RecipientRecord> all = new HashMap<>(job.recipients());
        all.putAll(updates);
        Instant now = clock.instant();
        boolean anyDeferred = all.values().stream().anyMatch(r -> !r.status().isFinal());
        if (anyDeferred) {
            RetryPolicy.Decision decision = retry.afterAttempt(job.attempts(), now,
                    retry.deadline(job.createdAt(), job.expiresAt()), random);
            if (decision instanceof RetryPolicy.GiveUp giveUp) {
                return deadLetter(job, updates, messageId, body, giveUp.reason(), start, times);
            }
            Duration delay = ((RetryPolicy.RetryAfter) decision).delay();
            record(job, JobStatus.DEFERRED, updates, messageId, now.plus(delay), lastError(updates), null, start, times,
                    true);
            return new Verdict.RetryAfter(delay);
        }
        record(job, finalStatus(all), updates, messageId, null, lastError(updates), null, start, times,
                !updates.isEmpty());
        return new Verdict.Done();
    }

    private Verdict deadLetter(JobRecord job, Map<String, RecipientRecord> updates, String messageId, String body,
                               String reason, Instant start, Times times) {
        Instant now = clock.instant();
        // Transitions only: this attempt's outcomes, and the recipients still open, now expired.
        // Those settled by earlier attempts stay as recorded, and are not counted again.
        Map<String, RecipientRecord> transitions = new HashMap<>(updates);
        job.recipients().forEach((address, record) -> {
            if (!record.status().isFinal()) {
                transitions.putIfAbsent(address, record);
            }
        });
        transitions.replaceAll((address, record) -> record.status().isFinal() ? record : record.expired(now));
        // Archive and DLQ first: if the ledger write fails, the message comes back and nothing is lost.
        String archiveKey = deadLetters.send(job.jobId(), body, reason);
        record(job, JobStatus.DEAD_LETTERED, transitions, messageId, null, reason, archiveKey, start, times,
                !updates.isEmpty());
        return new Verdict.Done();
    }

    /**
     * @param updates   the recipient transitions this write makes; each is counted in the metrics here, once
     * @param attempted whether this claim tried to deliver (README: Statuses, {@code attempts})
     */
    private void record(JobRecord job, JobStatus status, Map<String, RecipientRecord> updates, String messageId,
                        Instant nextAttemptAt, String lastError, String archiveKey, Instant start, Times times,
                        boolean attempted) {
        Instant now = clock.instant();
        held(ledger.record(new AttemptResult(job.jobId(), job.leaseOwner(), status, messageId, updates, nextAttemptAt, lastError,
                archiveKey, now, attempted), new Deadline(times.recordBy(), clock)));
        long latency = Duration.between(start, now).toMillis();
        log.attempt(job.jobId(), job.attempts(), status.name(), lastError, latency);
        metrics.emit(new Metrics.JobCounts(count(updates, RecipientStatus.DELIVERED), count(updates, RecipientStatus.DEFERRED),
                count(updates, RecipientStatus.FAILED), 0, status == JobStatus.DEAD_LETTERED ? 1 : 0, latency));
    }

    // Transitional: the runner rework turns a lost lease into its own verdict.
    private static void held(dev.mailroom.ledger.Recording recording) {
        if (recording instanceof dev.mailroom.ledger.Recording.LeaseLost lost) {
            throw new dev.mailroom.ledger.LeaseLostException(lost.jobId());
        }
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

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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
                        + e.getValue().enhancedCode() + " " + e.getValue().replyText())
                .findFirst().orElse(null);
    }

    private static boolean isSettled(RecipientRecord record) {
        return record != null && (record.status() == RecipientStatus.DELIVERED || record.status() == RecipientStatus.FAILED);
    }

    private static int count(Map<String, RecipientRecord> updates, RecipientStatus status) {
        return (int) updates.values().stream().filter(r -> r.status() == status).count();
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
