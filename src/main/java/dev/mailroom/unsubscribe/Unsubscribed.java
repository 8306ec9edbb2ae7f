package dev.mailroom.unsubscribe;

import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.ledger.Suppression;

/**
 * Told of each one-click unsubscribe once its suppression entry is written: the seam where the
 * {@code Subscription} event (events.SesEvents#subscription, which needs the job's ledger record for
 * its {@code mail} object) is to be published. Called again for a repeated POST, with the same claims:
 * a publisher de-duplicates by the event id, which names the job, the recipient and the transition.
 */
@FunctionalInterface
public interface Unsubscribed {

    void unsubscribed(UnsubscribeToken.Claims claims, Suppression entry);
}
