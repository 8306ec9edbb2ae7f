package dev.mailroom.compose;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A message ready to send, independent of any connection. Each SMTP transaction asks for its own
 * {@link SMTPMessage} instance (transactions run in parallel, and Jakarta Mail messages are not
 * thread-safe); every instance carries the same Message-ID and Date, and pulls attachment bytes
 * from the store only while it is being written.
 */
public interface ComposedMessage {

    /** The Message-ID header value, angle brackets included. */
    String messageId();

    /** An estimate of the message's size on the wire in bytes, for the SMTP SIZE extension (RFC 1870). */
    long estimatedSize();

    SMTPMessage newInstance(Session session) throws MessagingException;
}
