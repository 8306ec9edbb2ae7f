package dev.mailroom.outbox;

import dev.mailroom.events.EventJson;
import dev.mailroom.events.OutboxEntries;
import dev.mailroom.events.OutboxEntries.Publishable;
import dev.mailroom.events.SesEvent;
import dev.mailroom.events.SesEvents;
import dev.mailroom.events.SesMail;
import dev.mailroom.feedback.InboundReport;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.job.SendJob;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.observe.JobLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A job's outbox: the events of each ledger transition, made to be kept in the very write that makes
 * the transition ({@link #withEvents}, {@link #asyncBounce}…), and flushed from the item once written
 * ({@link #flush}): published, then dropped from the item. Whoever writes or reads a job's item
 * flushes it — the send path after each write and at each claim, bounce intake, the unsubscribe
 * endpoint — and the sweeper flushes what is left. A crash or a failure anywhere leaves the events in
 * the item for the next flush: each is published at least once, always with the same id.
 *
 * <p>{@link #none()} keeps and publishes nothing: a deployment with no event destination.
 */
public final class Outbox {

    /** What one flush did. */
    public sealed interface Flush {
        /** Nothing was pending. */
        record Empty() implements Flush {
        }

        /** {@code count} events published and dropped from the item. */
        record Published(int count) implements Flush {
        }

        /** The events stay in the item, for the next flush: a destination or the ledger failed. */
        record Failed(int count, RuntimeException cause) implements Flush {
        }
    }

    private final Ledger ledger;
    private final EventPublisher publisher;
    private final SesEvents events;
    private final JobLog log;

    /** @param events makes the events; null: none are made ({@link #none()}) */
    private Outbox(Ledger ledger, EventPublisher publisher, SesEvents events, JobLog log) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.events = events;
        this.log = log;
    }

    public static Outbox publishing(Ledger ledger, EventPublisher publisher, SesEvents events, JobLog log) {
        return new Outbox(Objects.requireNonNull(ledger, "ledger"), Objects.requireNonNull(publisher, "publisher"),
                Objects.requireNonNull(events, "events"), Objects.requireNonNull(log, "log"));
    }

    /** No events: nothing is kept in the ledger, nothing published. */
    public static Outbox none() {
        return new Outbox(null, null, null, null);
    }

    public boolean publishes() {
        return events != null;
    }

    // ---- making: the events of a write, before it is made

    /**
     * {@code result} with the events of its transitions: each recipient it settles (DELIVERED →
     * Delivery, DEFERRED → DeliveryDelay, FAILED, EXPIRED and SUPPRESSED → Bounce), the job's Send if
     * {@code announce}, and a Reject for a job refused once its message was read (no Bounce then:
     * nothing was sent to anyone).
     *
     * @param claimed the job as the attempt's claim returned it
     */
    public AttemptResult withEvents(SendJob job, JobRecord claimed, AttemptResult result, boolean announce) {
        if (events == null) {
            return result;
        }
        JobRecord after = claimed.after(result);
        SesMail mail = events.mail(job, after);
        List<SesEvent> made = new ArrayList<>();
        if (announce) {
            made.add(events.send(mail, after));
        }
        if (result.status() == JobStatus.REJECTED) {
            made.add(events.reject(mail, after));
        } else {
            new TreeMap<>(result.recipients()).forEach((recipient, record) -> recipientEvent(mail, after, recipient,
                    record).ifPresent(made::add));
        }
        return result.withEvents(EventJson.write(mail), entries(made, mail), announce);
    }

    private Optional<SesEvent> recipientEvent(SesMail mail, JobRecord after, String recipient, RecipientRecord record) {
        return switch (record.status()) {
            case DELIVERED -> Optional.of(events.delivery(mail, after, recipient));
            case DEFERRED -> Optional.of(events.deliveryDelay(mail, after, recipient));
            case FAILED, EXPIRED, SUPPRESSED -> Optional.of(events.bounce(mail, after, recipient));
            default -> Optional.empty();
        };
    }

    /** The Bounce of a report after delivery, for the job's item as read; none if it keeps no mail object. */
    public List<OutboxEvent> asyncBounce(JobRecord job, String recipient, InboundReport.DeliveryStatusNotification report,
                                         RecipientResult result) {
        return storedMail(job).map(mail -> entries(List.of(events.asyncBounce(mail, job, recipient, report, result)),
                mail)).orElse(List.of());
    }

    /** The Complaint of a feedback report, for the job's item as read; none if it keeps no mail object. */
    public List<OutboxEvent> complaint(JobRecord job, String recipient, InboundReport.FeedbackReport report) {
        return storedMail(job).map(mail -> entries(List.of(events.complaint(mail, job, recipient, report)), mail))
                .orElse(List.of());
    }

    /**
     * The Bounces of recipients a dead-letter reconciliation gives up on (EXPIRED), for the job as it
     * leaves it; none if the item keeps no mail object (no attempt of the job ever reached the ledger).
     */
    public List<OutboxEvent> expired(JobRecord after, java.util.Set<String> expired) {
        return storedMail(after).map(mail -> entries(new java.util.TreeSet<>(expired).stream()
                .map(recipient -> (SesEvent) events.bounce(mail, after, recipient)).toList(), mail)).orElse(List.of());
    }

    /** The Subscription of a one-click unsubscribe, for the job's item as read; none if it keeps no mail object. */
    public List<OutboxEvent> subscription(JobRecord job, String recipient, Suppression entry) {
        return storedMail(job).map(mail -> entries(List.of(events.subscription(mail, job, recipient, entry)), mail))
                .orElse(List.of());
    }

    private Optional<SesMail> storedMail(JobRecord job) {
        return events == null || job.mail() == null ? Optional.empty() : Optional.of(EventJson.readMail(job.mail()));
    }

    private static List<OutboxEvent> entries(List<SesEvent> made, SesMail mail) {
        return made.stream().map(event -> OutboxEntries.entry(event, mail)).toList();
    }

    // ---- flushing: after the write

    /**
     * Publishes {@code job}'s pending events (as the item held them when read or written), then drops
     * them from it; never throws. A failure is logged and leaves them for the next flush.
     */
    public Flush flush(JobRecord job) {
        if (events == null || job.outbox().isEmpty()) {
            return new Flush.Empty();
        }
        List<OutboxEvent> pending = List.copyOf(job.outbox().values());
        try {
            if (job.mail() == null) {
                throw new IllegalStateException("the item keeps events but no mail object");
            }
            List<Publishable> ready = pending.stream().map(e -> OutboxEntries.publishable(e, job.mail())).toList();
            publisher.publish(ready);
            ledger.markPublished(job.jobId(), pending.stream().map(OutboxEvent::id).toList());
            return new Flush.Published(pending.size());
        } catch (RuntimeException e) {
            log.error(job.jobId(), "publish " + pending.size() + " events (they stay in the ledger item)", e);
            return new Flush.Failed(pending.size(), e);
        }
    }

    /** Flushes every item that holds events: what crashed writers and failed destinations left. */
    public int sweep() {
        if (events == null) {
            return 0;
        }
        int[] published = {0};
        ledger.forEachWithPendingEvents(job -> {
            if (flush(job) instanceof Flush.Published done) {
                published[0] += done.count();
            }
        });
        return published[0];
    }
}
