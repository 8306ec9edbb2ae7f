package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.sign.MessageSigning;
import java.util.List;

/** What composing a job's message gave: a message ready to send, or why there is none this attempt. */
public sealed interface Composition {

    /** The message as it is sent, its DKIM-Signature fields included, and who signed it. */
    record Ready(MessageSigning.Signed signed) implements Composition {

        public ComposedMessage message() {
            return signed.message();
        }

        /** The keys that signed it, as their DNS names ({@code s2026._domainkey.example.com}); empty if unsigned. */
        public List<String> signedBy() {
            return signed.signatures();
        }
    }

    /** A stored part (attachment or raw message) is missing or unreadable: this outcome for every recipient. */
    record Unsendable(Outcome outcome) implements Composition {
    }
}
