package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.PerRecipientMessages;
import dev.mailroom.sign.MessageSigning;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.util.List;

/** What composing a job's message gave: a message ready to send, or why there is none this attempt. */
public sealed interface Composition {

    /** One message for every recipient, as it is sent (its DKIM-Signature fields included), and who signed it. */
    record Ready(MessageSigning.Signed signed) implements Composition {

        public ComposedMessage message() {
            return signed.message();
        }

        /** The keys that signed it, as their DNS names ({@code s2026._domainkey.example.com}); empty if unsigned. */
        public List<String> signedBy() {
            return signed.signatures();
        }
    }

    /**
     * A message of their own for each recipient (a List-Unsubscribe URL naming them, RFC 8058): each
     * recipient its own transaction, its message made — and signed — when its turn comes.
     *
     * @param fromDomain the From domain the keys are chosen for
     * @param signed     whether a key signs for it (else every message goes out unsigned)
     */
    record PerRecipient(PerRecipientMessages messages, Signer signer, String fromDomain, boolean signed)
            implements Composition {

        /** Signs one recipient's message (DKIM pass one): the engine's signing, for this job. */
        @FunctionalInterface
        public interface Signer {
            MessageSigning.Signed sign(ComposedMessage message) throws IOException, MessagingException;
        }

        /** The recipient's message, signed. */
        MessageSigning.Signed forRecipient(InternetAddress recipient) throws IOException, MessagingException {
            return signer.sign(messages.forRecipient(recipient));
        }
    }

    /** A stored part (attachment or raw message) is missing or unreadable: this outcome for every recipient. */
    record Unsendable(Outcome outcome) implements Composition {
    }
}
