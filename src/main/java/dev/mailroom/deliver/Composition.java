package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.PerRecipientMessages;
import java.util.function.UnaryOperator;

/** What composing a job's message gave: a message ready to send, or why there is none this attempt. */
public sealed interface Composition {

    /** One message for every recipient: recipients of a domain share its transactions. */
    record Ready(ComposedMessage message) implements Composition {
    }

    /**
     * A message of their own for each recipient (a List-Unsubscribe URL naming them, RFC 8058): each
     * recipient its own transaction.
     */
    record PerRecipient(PerRecipientMessages messages) implements Composition {
    }

    /** A stored part (attachment or raw message) is missing or unreadable: this outcome for every recipient. */
    record Unsendable(Outcome outcome) implements Composition {
    }

    /**
     * The same composition, every message it sends passed through {@code each} (a DKIM signer): the
     * one message at once, each recipient's as it is made.
     */
    default Composition map(UnaryOperator<ComposedMessage> each) {
        // Java 17 has no pattern switch; the three cases, in turn.
        if (this instanceof Ready ready) {
            return new Ready(each.apply(ready.message()));
        }
        if (this instanceof PerRecipient perRecipient) {
            return new PerRecipient(perRecipient.messages().map(each));
        }
        return this;
    }
}
