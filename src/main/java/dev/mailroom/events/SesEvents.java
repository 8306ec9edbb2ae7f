package dev.mailroom.events;

import dev.mailroom.events.SesDetails.Bounce;
import dev.mailroom.events.SesDetails.BouncedRecipient;
import dev.mailroom.events.SesDetails.ComplainedRecipient;
import dev.mailroom.events.SesDetails.Complaint;
import dev.mailroom.events.SesDetails.DelayedRecipient;
import dev.mailroom.events.SesDetails.Delivery;
import dev.mailroom.events.SesDetails.DeliveryDelay;
import dev.mailroom.events.SesDetails.Reject;
import dev.mailroom.events.SesDetails.Send;
import dev.mailroom.events.SesDetails.Subscription;
import dev.mailroom.events.SesDetails.TopicPreferences;
import dev.mailroom.events.SesEvent.BounceEvent;
import dev.mailroom.events.SesEvent.ComplaintEvent;
import dev.mailroom.events.SesEvent.DeliveryDelayEvent;
import dev.mailroom.events.SesEvent.DeliveryEvent;
import dev.mailroom.events.SesEvent.RejectEvent;
import dev.mailroom.events.SesEvent.SendEvent;
import dev.mailroom.events.SesEvent.SubscriptionEvent;
import dev.mailroom.feedback.InboundReport.DeliveryStatusNotification;
import dev.mailroom.feedback.InboundReport.FeedbackReport;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.job.SendJob;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Suppression;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes the SES-shaped event of a ledger transition, one factory per event type. Every factory takes
 * the job's {@code mail} object ({@link #mail}: made once per job from the job as submitted, and kept
 * in its ledger item, so that a bounce or an unsubscribe long after the send describes the same
 * message) and the job's ledger record (after the write that made the transition), and reads the
 * recipient's record from it; timestamps come from the record ({@code at}), or the injected
 * clock for what the ledger does not time (a report's arrival). Nothing is published here.
 *
 * <p>One recipient, one event: SES publishes per-recipient Delivery and Bounce events too, and the
 * event id ({@link EventId}) names one recipient's transition. {@code mail.destination} still lists
 * every recipient of the job, as SES's does.
 */
public final class SesEvents {

    private final Clock clock;
    private final EventOrigin origin;

    public SesEvents(Clock clock, EventOrigin origin) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.origin = Objects.requireNonNull(origin, "origin");
    }

    /**
     * The job's {@code mail} object: the same for all its events. Its Message-ID is the ledger's (the
     * job id until the ledger has one), its timestamp the job's acceptance.
     */
    public SesMail mail(SendJob job, JobRecord record) {
        String messageId = record.messageId() == null ? record.jobId() : record.messageId();
        return MailFacts.of(job, record.jobId(), messageId, record.createdAt(), origin);
    }

    /** Send: the job was accepted and will be tried. Once per job (attempt 0 in its id), at its creation. */
    public SendEvent send(SesMail mail, JobRecord record) {
        return new SendEvent(mail, new Send(), EventId.of(record.jobId(), null, "SENT", 0));
    }

    /** Delivery: a DELIVERED recipient; processing time runs from the job's acceptance to the 250. */
    public DeliveryEvent delivery(SesMail mail, JobRecord record, String recipient) {
        RecipientRecord rec = recipientIn(record, recipient, RecipientStatus.DELIVERED);
        long millis = Math.max(0, Duration.between(record.createdAt(), rec.at()).toMillis());
        Delivery delivery = new Delivery(Timestamps.iso(rec.at()), millis, List.of(recipient), Replies.smtpResponse(rec),
                origin.reportingHost());
        return new DeliveryEvent(tagged(mail, rec), delivery, id(record, recipient, rec));
    }

    /** DeliveryDelay: a DEFERRED recipient, to be tried again until the job's {@code expiresAt}. */
    public DeliveryDelayEvent deliveryDelay(SesMail mail, JobRecord record, String recipient) {
        RecipientRecord rec = recipientIn(record, recipient, RecipientStatus.DEFERRED);
        DelayedRecipient delayed = new DelayedRecipient(recipient, Replies.status(rec, "4.0.0"),
                Replies.diagnosticCode(rec));
        DeliveryDelay delay = new DeliveryDelay(Timestamps.iso(rec.at()),
                DelayTypes.of(java.util.Optional.ofNullable(rec.replyCode()),
                        java.util.Optional.ofNullable(rec.enhancedCode())),
                Timestamps.iso(Objects.requireNonNullElse(record.expiresAt(), rec.at())), List.of(delayed));
        return new DeliveryDelayEvent(tagged(mail, rec), delay, id(record, recipient, rec));
    }

    /**
     * Bounce at sending time: a FAILED recipient (refused for good), an EXPIRED one (given up on after
     * transient failures) or a SUPPRESSED one (never sent: {@code Permanent/OnAccountSuppressionList}).
     */
    public BounceEvent bounce(SesMail mail, JobRecord record, String recipient) {
        RecipientRecord rec = record.recipient(recipient);
        if (rec == null || !SendingBounces.covers(rec.status())) {
            throw new IllegalArgumentException("no FAILED, EXPIRED or SUPPRESSED recipient " + recipient);
        }
        BouncedRecipient bounced = SendingBounces.recipient(recipient, rec);
        String id = id(record, recipient, rec);
        BounceKind kind = SendingBounces.kind(rec);
        Bounce bounce = new Bounce(kind.type(), kind.subType(), List.of(bounced), Timestamps.iso(rec.at()), id,
                rec.status() == RecipientStatus.SUPPRESSED ? null : "dns; " + origin.reportingHost());
        return new BounceEvent(tagged(mail, rec), bounce, id);
    }

    /**
     * Bounce after delivery: a delivery status notification came back for a recipient the ledger
     * had delivered ({@code BOUNCED}). Its kind comes from the report's status and verdict.
     *
     * @param result the report's result for this recipient
     */
    public BounceEvent asyncBounce(SesMail mail, JobRecord record, String recipient,
                                   DeliveryStatusNotification report, RecipientResult result) {
        RecipientRecord rec = Objects.requireNonNull(record.recipient(recipient), recipient);
        String id = EventId.of(record.jobId(), recipient, "BOUNCED", rec.attempts());
        BounceKind kind = ReportBounces.kind(result);
        Bounce bounce = new Bounce(kind.type(), kind.subType(), List.of(ReportBounces.recipient(recipient, result)),
                Timestamps.iso(clock.instant()), id, report.reportingMta().orElse(null));
        return new BounceEvent(mail, bounce, id);
    }

    /** Complaint: a feedback report (ARF) about a recipient's message ({@code COMPLAINED}). */
    public ComplaintEvent complaint(SesMail mail, JobRecord record, String recipient, FeedbackReport report) {
        RecipientRecord rec = Objects.requireNonNull(record.recipient(recipient), recipient);
        String id = EventId.of(record.jobId(), recipient, "COMPLAINED", rec.attempts());
        Complaint complaint = new Complaint(List.of(new ComplainedRecipient(recipient)), Timestamps.iso(clock.instant()),
                id, report.userAgent().orElse(null), report.feedbackType());
        return new ComplaintEvent(mail, complaint, id);
    }

    /** Reject: the job was REJECTED at intake; the reason is the ledger's {@code lastError}. */
    public RejectEvent reject(SesMail mail, JobRecord record) {
        return new RejectEvent(mail, new Reject(Objects.requireNonNullElse(record.lastError(), "")),
                EventId.of(record.jobId(), null, "REJECTED", record.attempts()));
    }

    /**
     * Subscription: a recipient unsubscribed in one click (RFC 8058) and {@code entry} now suppresses
     * it, in the scope the token named.
     */
    public SubscriptionEvent subscription(SesMail mail, JobRecord record, String recipient, Suppression entry) {
        RecipientRecord rec = record.recipient(recipient);
        String id = EventId.of(record.jobId(), recipient, "UNSUBSCRIBED", rec == null ? 0 : rec.attempts());
        Subscription subscription = new Subscription(entry.scope().key(), Timestamps.iso(entry.at()),
                "UnsubscribeHeader", new TopicPreferences(true, List.of()), new TopicPreferences(false, List.of()));
        return new SubscriptionEvent(mail, subscription, id);
    }

    /** The job's mail, tagged with the MX host that gave this recipient's verdict, when one did. */
    private static SesMail tagged(SesMail mail, RecipientRecord rec) {
        return rec.mxHost() == null ? mail : mail.withTags(Map.of(MailFacts.MX_HOST_TAG, List.of(rec.mxHost())));
    }

    /**
     * A send-path transition's id, in the job's life: a recipient EXPIRED, redriven and EXPIRED again
     * at the same attempt count made two transitions. (A report's or an unsubscribe's id has no life:
     * it concerns a delivered recipient, which no redrive reopens, and the same report read twice is
     * one event.)
     */
    private static String id(JobRecord record, String recipient, RecipientRecord rec) {
        return EventId.of(record.jobId(), recipient, rec.status().name(), rec.attempts(), record.redrives());
    }

    private static RecipientRecord recipientIn(JobRecord record, String recipient, RecipientStatus status) {
        RecipientRecord rec = record.recipient(recipient);
        if (rec == null || rec.status() != status) {
            throw new IllegalArgumentException("no " + status + " recipient " + recipient);
        }
        return rec;
    }
}
