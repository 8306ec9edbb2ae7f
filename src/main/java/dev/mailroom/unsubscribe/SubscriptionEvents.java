package dev.mailroom.unsubscribe;

import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.job.AddressForm;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.outbox.Outbox;
import java.util.List;
import java.util.Optional;

/**
 * The {@code Subscription} event of each one-click unsubscribe: kept in the job's ledger item (which
 * holds the job's {@code mail} object), then published. A repeated POST keeps the same event again
 * (its id names the job, the recipient and the transition), so a consumer sees one after
 * de-duplication. A job the ledger no longer holds (its retention passed) gets no event: the
 * suppression entry and the log line {@code unsubscribe.done} still record the unsubscribe.
 */
public final class SubscriptionEvents implements Unsubscribed {

    private final Ledger ledger;
    private final Outbox outbox;

    public SubscriptionEvents(Ledger ledger, Outbox outbox) {
        this.ledger = ledger;
        this.outbox = outbox;
    }

    @Override
    public void unsubscribed(UnsubscribeToken.Claims claims, Suppression entry) {
        Optional<JobRecord> job = ledger.find(claims.jobId());
        if (job.isEmpty()) {
            return;
        }
        List<OutboxEvent> events = outbox.subscription(job.get(), AddressForm.key(claims.recipient()), entry);
        if (!events.isEmpty()) {
            ledger.recordEvents(claims.jobId(), events).ifPresent(outbox::flush);
        }
    }
}
