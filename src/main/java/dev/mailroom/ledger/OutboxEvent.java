package dev.mailroom.ledger;

import java.util.Objects;

/**
 * An event kept with its job's ledger item until it is published: written in the same conditional
 * write as the transition it reports, so the ledger never holds a transition without its event nor
 * an event without its transition; removed ({@link Ledger#markPublished}) only once a destination
 * has it. The ledger stores it as it is given: {@code body} is opaque here (the event's JSON without
 * the job's {@code mail} object, which the item holds once for all its events).
 *
 * @param id        the event's de-duplication id, a pure function of the transition
 * @param recipient the recipient whose transition it reports, as the ledger keys it; null for a job's
 *                  own event (Send, Reject). A write too large for one request is split by recipient,
 *                  and each event goes in the part that records its transition
 * @param body      the event, as the publisher will complete it
 */
public record OutboxEvent(String id, String recipient, String body) {

    public OutboxEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(body, "body");
    }

    /** A job's own event. */
    public OutboxEvent(String id, String body) {
        this(id, null, body);
    }
}
