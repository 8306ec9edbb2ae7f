package dev.mailroom.outbox;

import dev.mailroom.events.EventJson;
import dev.mailroom.events.OutboxEntries;
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
import dev.mailroom.ledger.OutboxBatch;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.observe.JobLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A job's outbox: the events of each ledger transition, made to be kept in the very write that makes
 * the transition ({@link #withEvents}, {@link #asyncBounce}…), and flushed from the item once written
 * ({@link #flush}): published, then dropped from the item. Whoever writes or reads a job's item
 * flushes it — the send path after each write and at each claim granted or finding the job finished,
 * bounce intake, the unsubscribe endpoint — and the sweeper flushes what is left. A crash or a failure anywhere leaves the events in
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

        /**
         * {@code left} events stay in the item, for the next flush: a destination or the ledger failed
         * ({@code cause}); {@code published} others were published and dropped all the same.
         */
        record Failed(int published, int left, RuntimeException cause) implements Flush {
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
        SesMail mail = storedMail(claimed).orElseGet(() -> events.mail(job, after));
        List<OutboxEvent> made = new ArrayList<>();
        if (announce) {
            made.add(OutboxEntries.entry(events.send(mail, after), mail));
        }
        if (result.status() == JobStatus.REJECTED) {
            made.add(OutboxEntries.entry(events.reject(mail, after), mail));
        } else {
            new TreeMap<>(result.recipients()).forEach((recipient, record) -> recipientEvent(mail, after, recipient,
                    record).ifPresent(event -> made.add(OutboxEntries.entry(event, mail, recipient))));
        }
        return result.withEvents(EventJson.write(mail), made, announce);
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
        return storedMail(job).map(mail -> List.of(OutboxEntries.entry(events.asyncBounce(mail, job, recipient,
                report, result), mail, recipient))).orElse(List.of());
    }

    /** The Complaint of a feedback report, for the job's item as read; none if it keeps no mail object. */
    public List<OutboxEvent> complaint(JobRecord job, String recipient, InboundReport.FeedbackReport report) {
        return storedMail(job).map(mail -> List.of(OutboxEntries.entry(events.complaint(mail, job, recipient, report),
                mail, recipient))).orElse(List.of());
    }

    /**
     * The events of a dead-letter reconciliation, for the job as it leaves it: a Bounce for each
     * recipient it gives up on (EXPIRED), and the job's Send if no attempt kept one. The mail object
     * is the item's, or, where no attempt of the job reached the ledger, made from the dead letter's
     * body; none if that is no job either.
     *
     * @param job the job the dead letter's body holds
     */
    public Ledger.Kept expired(JobRecord after, Set<String> expired, Supplier<Optional<SendJob>> job) {
        if (events == null || expired.isEmpty()) {
            return Ledger.Kept.NONE;
        }
        Optional<SesMail> stored = storedMail(after);
        Optional<SesMail> mail = stored.isPresent() ? stored : job.get().map(parsed -> events.mail(parsed, after));
        if (mail.isEmpty()) {
            log.error(after.jobId(), "keep the events of " + expired.size() + " expired recipients",
                    new IllegalStateException("no mail object: no attempt recorded one and the dead letter holds no job"));
            return Ledger.Kept.NONE;
        }
        List<OutboxEvent> made = new ArrayList<>();
        if (!after.announced()) {
            made.add(OutboxEntries.entry(events.send(mail.get(), after), mail.get()));
        }
        new TreeSet<>(expired).forEach(recipient -> made.add(OutboxEntries.entry(
                events.bounce(mail.get(), after, recipient), mail.get(), recipient)));
        return new Ledger.Kept(stored.isPresent() ? null : EventJson.write(mail.get()), made, !after.announced());
    }

    /** The Subscription of a one-click unsubscribe, for the job's item as read; none if it keeps no mail object. */
    public List<OutboxEvent> subscription(JobRecord job, String recipient, Suppression entry) {
        return storedMail(job).map(mail -> List.of(OutboxEntries.entry(events.subscription(mail, job, recipient, entry),
                mail, recipient))).orElse(List.of());
    }

    private Optional<SesMail> storedMail(JobRecord job) {
        return events == null || job.mail() == null ? Optional.empty() : Optional.of(EventJson.readMail(job.mail()));
    }

    // ---- flushing: after the write

    /**
     * Publishes {@code job}'s pending events (as the item held them when read or written), batch by
     * batch, then drops the batches published from it; never throws. A batch that fails is logged and
     * stays for the next flush, without holding back the others.
     */
    public Flush flush(JobRecord job) {
        if (events == null || job.outbox().isEmpty()) {
            return new Flush.Empty();
        }
        List<String> published = new ArrayList<>();
        int count = 0;
        int failed = 0;
        RuntimeException cause = null;
        for (OutboxBatch batch : job.outbox()) {
            try {
                if (job.mail() == null) {
                    throw new IllegalStateException("the item keeps events but no mail object");
                }
                publisher.publish(batch.events().stream().map(e -> OutboxEntries.publishable(e, job.mail())).toList());
                published.add(batch.key());
                count += batch.events().size();
            } catch (RuntimeException e) {
                log.error(job.jobId(), "publish " + batch.events().size() + " events (they stay in the ledger item)", e);
                failed += batch.events().size();
                cause = e;
            }
        }
        try {
            ledger.markPublished(job.jobId(), published);
        } catch (RuntimeException e) {
            // Published all the same: the next flush publishes them again, with the same ids.
            log.error(job.jobId(), "drop " + count + " published events from the ledger item", e);
            return new Flush.Failed(0, count + failed, e);
        }
        return cause == null ? new Flush.Published(count) : new Flush.Failed(count, failed, cause);
    }

    /** Flushes every item that holds events: what crashed writers and failed destinations left. */
    public int sweep() {
        if (events == null) {
            return 0;
        }
        int[] published = {0};
        ledger.forEachWithPendingEvents(job -> {
            Flush flush = flush(job);
            if (flush instanceof Flush.Published done) {
                published[0] += done.count();
            } else if (flush instanceof Flush.Failed partly) {
                published[0] += partly.published();
            }
        });
        return published[0];
    }
}
