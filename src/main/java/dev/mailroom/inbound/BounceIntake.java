package dev.mailroom.inbound;

import dev.mailroom.feedback.InboundReport;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.feedback.ReportParser;
import dev.mailroom.feedback.SuppressionRules;
import dev.mailroom.job.AddressForm;
import dev.mailroom.job.BounceToken;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Bounce intake, runtime-neutral: one inbound message (a report sent to a VERP return path) in, what
 * it changed out. The message is parsed ({@link ReportParser}); its VERP address — the one it was
 * delivered to, else the quoted original's Return-Path — names the job, and the job's ledger row,
 * through the token's MAC, the recipient ({@link BounceToken}). A permanent failure turns that
 * recipient {@code BOUNCED}, a complaint {@code COMPLAINED}, each only from {@code DELIVERED}
 * ({@link Ledger#recordAfterDelivery}); the suppression rules then decide whether the address goes on
 * the list. Auto-replies, delays and anything that is not a report change nothing.
 *
 * <p>There is no fallback on the original Message-ID: it is a name-based UUID of the job id (one
 * way), so matching it would need an index of every message sent; a bounce without the VERP address
 * is {@link Result.Unmatched}.
 */
public final class BounceIntake {

    /** What one inbound message did. */
    public sealed interface Result {
        /** The recipient's new status is recorded; {@code suppressed}: the entry added, if any. */
        record Recorded(String jobId, String recipient, RecipientStatus status, Optional<Suppression> suppressed)
                implements Result {
        }

        /** Matched, but the recipient was not DELIVERED (a report seen twice, say): its status is kept. */
        record Unchanged(String jobId, String recipient, RecipientStatus status, Optional<Suppression> suppressed)
                implements Result {
        }

        /** No job or recipient found for it: no VERP address, a token that does not verify, a job gone. */
        record Unmatched(String why) implements Result {
        }

        /** A message that says nothing to act on: an auto-reply, a delay, not a report. */
        record Ignored(String why) implements Result {
        }
    }

    /** Where VERP addresses live and the keys that signed them. */
    public record ReturnPaths(String bounceDomain, BounceToken token) {
    }

    private final ReportParser parser = new ReportParser();
    private final ReturnPaths returnPaths;
    private final Ledger ledger;
    private final Optional<SuppressionList> suppressions;
    private final SuppressionRules rules;
    private final Outbox outbox;
    private final Clock clock;

    /**
     * @param suppressions the suppression list, if the deployment keeps one
     * @param outbox       the Bounce and Complaint events, kept with the write and flushed after it
     */
    public BounceIntake(ReturnPaths returnPaths, Ledger ledger, Optional<SuppressionList> suppressions,
                        SuppressionRules rules, Outbox outbox, Clock clock) {
        this.returnPaths = returnPaths;
        this.ledger = ledger;
        this.suppressions = suppressions;
        this.rules = rules;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * @param raw    the inbound message as received (RFC 5322)
     * @param source where it came from (its S3 key), the suppression entry's source
     */
    public Result take(byte[] raw, String source) {
        InboundReport report = parser.parse(raw);
        if (report instanceof InboundReport.AutoReply || report instanceof InboundReport.NotAReport) {
            return new Result.Ignored(report instanceof InboundReport.AutoReply ? "an auto-reply" : "not a report");
        }
        Optional<BounceToken.Reference> reference = verpAddress(report);
        if (reference.isEmpty()) {
            return new Result.Unmatched("no VERP address of " + returnPaths.bounceDomain());
        }
        Optional<JobRecord> job = ledger.find(reference.get().jobId());
        Optional<String> recipient = job.flatMap(j -> returnPaths.token().recipientOf(reference.get(),
                j.recipients().keySet()));
        if (recipient.isEmpty()) {
            return new Result.Unmatched(job.isEmpty() ? "no job " + reference.get().jobId()
                    : "the token names no recipient of job " + reference.get().jobId());
        }
        // A writer that died between its write and its publish (this function, retried) left them.
        outbox.flush(job.get());
        if (report instanceof InboundReport.DeliveryStatusNotification dsn) {
            return bounce(job.get(), recipient.get(), dsn, source);
        }
        return complaint(job.get(), recipient.get(), (InboundReport.FeedbackReport) report, source);
    }

    private Result bounce(JobRecord job, String recipient, InboundReport.DeliveryStatusNotification dsn,
                          String source) {
        Optional<RecipientResult> failure = resultFor(recipient, dsn.recipients())
                .filter(r -> r.severity() == RecipientResult.Severity.PERMANENT
                        && r.action() != RecipientResult.Action.DELAYED);
        if (failure.isEmpty()) {
            return new Result.Ignored("no permanent failure for the recipient (a delay, or a success)");
        }
        RecipientResult result = failure.get();
        RecipientRecord current = job.recipients().get(recipient);
        Instant now = clock.instant();
        RecipientRecord bounced = new RecipientRecord(RecipientStatus.BOUNCED, result.replyCode().orElse(null),
                result.status().orElse(null), result.diagnostic().orElse("bounced after delivery"),
                result.remoteMta().orElse(null), current.attempts(), now, current.signedBy());
        Optional<Suppression> suppressed = rules.suppresses(result)
                .flatMap(decision -> suppress(recipient, decision, source, now));
        return written(job.jobId(), recipient, bounced, current, suppressed, now,
                outbox.asyncBounce(job, recipient, dsn, result));
    }

    private Result complaint(JobRecord job, String recipient, InboundReport.FeedbackReport arf, String source) {
        Optional<SuppressionRules.Suppression> decision = rules.suppresses(arf);
        if (decision.isEmpty() || decision.get().reason() != SuppressionRules.Reason.COMPLAINT) {
            // opt-out and the like: no complaint; an opt-out still suppresses as an unsubscription.
            Optional<Suppression> added = decision.flatMap(d -> suppress(recipient, d, source, clock.instant()));
            return new Result.Unchanged(job.jobId(), recipient, job.recipients().get(recipient).status(), added);
        }
        RecipientRecord current = job.recipients().get(recipient);
        Instant now = clock.instant();
        RecipientRecord complained = new RecipientRecord(RecipientStatus.COMPLAINED, current.replyCode(),
                current.enhancedCode(), "complaint (feedback type " + arf.feedbackType() + ")", current.mxHost(),
                current.attempts(), now, current.signedBy());
        return written(job.jobId(), recipient, complained, current, suppress(recipient, decision.get(), source, now), now,
                outbox.complaint(job, recipient, arf));
    }

    /** Writes the recipient's new status with its event, then publishes the event. */
    private Result written(String jobId, String recipient, RecipientRecord record, RecipientRecord current,
                           Optional<Suppression> suppressed, Instant now, List<OutboxEvent> events) {
        Optional<JobRecord> after = ledger.recordAfterDelivery(jobId, recipient, record, now, events);
        if (after.isPresent()) {
            outbox.flush(after.get());
            return new Result.Recorded(jobId, recipient, record.status(), suppressed);
        }
        return new Result.Unchanged(jobId, recipient, current.status(), suppressed);
    }

    /**
     * The report's line for the recipient the token names: its Final- or Original-Recipient, else — a
     * bounce from a forwarding address names where the mail went last — the only one it reports.
     */
    private static Optional<RecipientResult> resultFor(String recipient, List<RecipientResult> results) {
        Optional<RecipientResult> named = results.stream().filter(r -> recipient.equals(key(r.recipient()))
                || r.originalRecipient().map(BounceIntake::key).filter(recipient::equals).isPresent()).findFirst();
        return named.isPresent() || results.size() != 1 ? named : Optional.of(results.get(0));
    }

    /** A dead mailbox is dead for every tenant, and the ledger row does not say the job's tenant: global. */
    private Optional<Suppression> suppress(String recipient, SuppressionRules.Suppression decision, String source,
                                           Instant now) {
        if (suppressions.isEmpty()) {
            return Optional.empty();
        }
        Suppression entry = new Suppression(SuppressionScope.GLOBAL, recipient,
                SuppressionReason.valueOf(decision.reason().name()), source, now, null);
        return suppressions.get().putIfAbsent(entry, now) ? Optional.of(entry) : Optional.empty();
    }

    private Optional<BounceToken.Reference> verpAddress(InboundReport report) {
        Stream<String> mailFrom = report instanceof InboundReport.FeedbackReport arf ? arf.originalMailFrom().stream()
                : Stream.empty();
        String domain = "@" + returnPaths.bounceDomain().toLowerCase(Locale.ROOT);
        return Stream.of(report.addressedTo().stream(), report.original().returnPath().stream(), mailFrom)
                .flatMap(s -> s)
                .filter(address -> address.toLowerCase(Locale.ROOT).endsWith(domain))
                .map(BounceToken::read).flatMap(Optional::stream).findFirst();
    }

    private static String key(String address) {
        try {
            return AddressForm.key(address);
        } catch (IllegalArgumentException e) {
            return address;
        }
    }
}
