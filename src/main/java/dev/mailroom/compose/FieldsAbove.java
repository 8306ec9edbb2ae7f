package dev.mailroom.compose;

import dev.mailroom.job.HeaderField;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A message with complete header fields written above its own, byte for byte (a DKIM-Signature goes
 * there: RFC 6376 §5.6). The fields are US-ASCII lines ending in CRLF, so the size grows by exactly
 * their length and the message stays as 7- or 8-bit as it was.
 */
record FieldsAbove(ComposedMessage message, byte[] fields) implements ComposedMessage {

    FieldsAbove {
        fields = fields.clone();
    }

    @Override
    public String messageId() {
        return message.messageId();
    }

    @Override
    public long size() {
        return message.size() + fields.length;
    }

    @Override
    public boolean eightBit() {
        return message.eightBit();
    }

    /** The fields are ASCII: whether the message needs SMTPUTF8 is the message's own answer. */
    @Override
    public boolean smtpUtf8() {
        return message.smtpUtf8();
    }

    @Override
    public List<HeaderField> storedHeaders() {
        return message.storedHeaders();
    }

    @Override
    public SMTPMessage newInstance(Session session) throws MessagingException {
        return new Instance(session, fields, message.newInstance(session));
    }

    /**
     * What the transport is handed: the fields, then the message's own instance. The transport reads
     * nothing of a message but its envelope settings (set on this instance) and what {@link #writeTo}
     * writes; it re-encodes nothing, since 8-bit conversion ({@code allow8bitmime}) stays off.
     */
    private static final class Instance extends SMTPMessage {
        private final byte[] fields;
        private final SMTPMessage message;

        Instance(Session session, byte[] fields, SMTPMessage message) {
            super(session);
            this.fields = fields;
            this.message = message;
        }

        @Override
        public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
            out.write(fields);
            message.writeTo(out, ignoreList);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException, MessagingException {
            writeTo(out, null);
        }

        @Override
        public String getMessageID() throws MessagingException {
            return message.getMessageID();
        }
    }
}
