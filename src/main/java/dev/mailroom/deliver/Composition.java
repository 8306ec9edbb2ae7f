package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;

/** What composing a job's message gave: a message ready to send, or why there is none this attempt. */
public sealed interface Composition {

    record Ready(ComposedMessage message) implements Composition {
    }

    /** A stored part (attachment or raw message) is missing or unreadable: this outcome for every recipient. */
    record Unsendable(Outcome outcome) implements Composition {
    }
}
