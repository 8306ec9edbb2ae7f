package dev.mailroom.compose;

import jakarta.mail.internet.InternetAddress;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A job whose recipients each get a message of their own — their own List-Unsubscribe URL, with a
 * token naming them (RFC 8058) — composed once for what they share (date, stored attachments sized
 * and pinned to one version each), each recipient's message made when its transaction asks for it.
 *
 * <p>Each recipient's message has its own Message-ID, stable across attempts ({@link
 * MessageComposer#messageIdFor}); {@link #messageId()} is the job's, as the ledger records it.
 */
public final class PerRecipientMessages {

    private final String messageId;
    private final Function<InternetAddress, ComposedMessage> messages;

    PerRecipientMessages(String messageId, Function<InternetAddress, ComposedMessage> messages) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.messages = Objects.requireNonNull(messages, "messages");
    }

    /** The job's Message-ID: what each recipient's extends, and the ledger records. */
    public String messageId() {
        return messageId;
    }

    /**
     * The message for one envelope recipient, made anew on each call (measured, not yet written).
     * Thread-safe: transactions to several domains ask at once.
     */
    public ComposedMessage forRecipient(InternetAddress recipient) {
        return messages.apply(recipient);
    }

    /**
     * The same messages, each passed through {@code each} as it is made: how a signer wraps every
     * recipient's message (it runs on the transaction's thread).
     */
    public PerRecipientMessages map(UnaryOperator<ComposedMessage> each) {
        return new PerRecipientMessages(messageId, messages.andThen(each));
    }
}
