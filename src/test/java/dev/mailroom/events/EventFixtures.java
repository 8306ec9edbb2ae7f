package dev.mailroom.events;

import dev.mailroom.feedback.InboundReport.DeliveryStatusNotification;
import dev.mailroom.feedback.InboundReport.FeedbackReport;
import dev.mailroom.feedback.InboundReport.Recognition;
import dev.mailroom.feedback.OriginalMessage;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.job.SendJob;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One job, its ledger records in each state, and the factory, on a fixed clock. */
final class EventFixtures {

    static final Instant CREATED = Instant.parse("2026-03-02T09:15:20.101Z");
    static final Instant AT = Instant.parse("2026-03-02T09:15:31.994Z");
    static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    static final String JOB_ID = "inv-2026-000123";
    static final String MESSAGE_ID = "<inv-2026-000123@mailroom.example.com>";
    static final String ANN = "ann@example.org";

    static final EventOrigin ORIGIN = new EventOrigin("mailroom.example.com",
            Optional.of("arn:aws:ses:eu-west-1:111122223333:identity/example.com"), Optional.of("111122223333"));
    static final SesEvents SES = new SesEvents(Clock.fixed(NOW, ZoneOffset.UTC), ORIGIN);
    /** The factories over a job as submitted: each event's mail object is {@link SesEvents#mail} of it. */
    static final JobEvents EVENTS = new JobEvents(SES);

    /** {@link SesEvents} with the job in place of its mail object, as the send path makes them. */
    record JobEvents(SesEvents ses) {
        SesEvent.SendEvent send(SendJob job, JobRecord record) {
            return ses.send(ses.mail(job, record), record);
        }

        SesEvent.DeliveryEvent delivery(SendJob job, JobRecord record, String recipient) {
            return ses.delivery(ses.mail(job, record), record, recipient);
        }

        SesEvent.DeliveryDelayEvent deliveryDelay(SendJob job, JobRecord record, String recipient) {
            return ses.deliveryDelay(ses.mail(job, record), record, recipient);
        }

        SesEvent.BounceEvent bounce(SendJob job, JobRecord record, String recipient) {
            return ses.bounce(ses.mail(job, record), record, recipient);
        }

        SesEvent.BounceEvent asyncBounce(SendJob job, JobRecord record, String recipient,
                                         dev.mailroom.feedback.InboundReport.DeliveryStatusNotification report,
                                         dev.mailroom.feedback.RecipientResult result) {
            return ses.asyncBounce(ses.mail(job, record), record, recipient, report, result);
        }

        SesEvent.ComplaintEvent complaint(SendJob job, JobRecord record, String recipient,
                                          dev.mailroom.feedback.InboundReport.FeedbackReport report) {
            return ses.complaint(ses.mail(job, record), record, recipient, report);
        }

        SesEvent.RejectEvent reject(SendJob job, JobRecord record) {
            return ses.reject(ses.mail(job, record), record);
        }

        SesEvent.SubscriptionEvent subscription(SendJob job, JobRecord record, String recipient,
                                                dev.mailroom.ledger.Suppression entry) {
            return ses.subscription(ses.mail(job, record), record, recipient, entry);
        }
    }

    private EventFixtures() {
    }

    static SendJob job() {
        return new SendJob(1, JOB_ID, "Billing <billing@example.com>", null, List.of(), List.of(ANN),
                List.of("carl@example.net"), List.of("dora@example.net"), "Your invoice", "Hello", null,
                Map.of("X-Campaign", "spring"), null, List.of(), null, Map.of("tenant", "acme"), null);
    }

    static JobRecord record(JobStatus status, RecipientRecord ann) {
        return new JobRecord(JOB_ID, status, ann.attempts(), CREATED, ann.at(), null,
                Instant.parse("2026-03-05T09:15:20.101Z"), status == JobStatus.REJECTED ? "subject: contains CR or LF"
                : null, null, null, MESSAGE_ID, Map.of(ANN, ann), null, null);
    }

    static RecipientRecord delivered() {
        return new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "Ok: queued as 4XyZ", "mx1.example.org",
                1, AT);
    }

    static RecipientRecord deferred(int attempts) {
        return new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.7.1", "greylisted, try again",
                "mx1.example.org", attempts, AT);
    }

    static RecipientRecord failed(String enhancedCode) {
        return new RecipientRecord(RecipientStatus.FAILED, 550, enhancedCode, "no such user", "mx1.example.org", 1, AT);
    }

    static RecipientRecord suppressed() {
        Suppression entry = new Suppression(SuppressionScope.GLOBAL, ANN, SuppressionReason.BOUNCE, "inv-2026-000001",
                CREATED.minusSeconds(86_400), null);
        return RecipientRecord.suppressed(entry, 0, AT);
    }

    static Suppression unsubscribe() {
        return new Suppression(SuppressionScope.tenant("acme"), ANN, SuppressionReason.UNSUBSCRIBE, JOB_ID, NOW, null);
    }

    static DeliveryStatusNotification dsn(RecipientResult result) {
        return new DeliveryStatusNotification(Optional.of("dns; mx1.example.org"), List.of(result),
                Recognition.RFC3464, List.of(), OriginalMessage.NONE);
    }

    static RecipientResult mailboxUnknown() {
        return new RecipientResult(ANN, Optional.empty(), RecipientResult.Action.FAILED, Optional.of("5.1.1"),
                Optional.of(550), Optional.of("smtp; 550 5.1.1 <ann@example.org>: Recipient address rejected"),
                Optional.of("dns; mx1.example.org"), RecipientResult.Severity.PERMANENT);
    }

    static FeedbackReport abuse() {
        return new FeedbackReport("abuse", Optional.of("ExampleFBL/0.1"), Optional.empty(), List.of(ANN), List.of(),
                Optional.empty(), List.of(), OriginalMessage.NONE);
    }

    /** One event of every type Mailroom makes, by SES's example file name. */
    static Map<String, SesEvent> everyType() {
        SendJob job = job();
        return Map.of(
                "send", EVENTS.send(job, record(JobStatus.SENDING, RecipientRecord.pending(CREATED))),
                "delivery", EVENTS.delivery(job, record(JobStatus.DELIVERED, delivered()), ANN),
                "delivery-delay", EVENTS.deliveryDelay(job, record(JobStatus.DEFERRED, deferred(1)), ANN),
                "bounce", EVENTS.bounce(job, record(JobStatus.FAILED, failed("5.1.1")), ANN),
                "complaint", EVENTS.complaint(job, record(JobStatus.DELIVERED, delivered()), ANN, abuse()),
                "reject", EVENTS.reject(job, record(JobStatus.REJECTED, RecipientRecord.pending(CREATED))),
                "subscription", EVENTS.subscription(job, record(JobStatus.DELIVERED, delivered()), ANN, unsubscribe()));
    }
}
