package dev.mailroom.compose;

import dev.mailroom.job.HeaderField;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A message ready to send, independent of any connection. Each SMTP transaction asks for its own
 * {@link SMTPMessage} instance (transactions run in parallel, and Jakarta Mail messages are not
 * thread-safe); every instance carries the same Message-ID and Date, writes the same bytes, and
 * pulls attachment bytes from the store only while it is being written.
 */
public interface ComposedMessage {

    /** The Message-ID header value, angle brackets included. */
    String messageId();

    /**
     * The message's size in bytes as RFC 1870 §3 counts it for the SMTP SIZE extension: what the
     * client sends after the 354 reply, lines ending in CRLF, DATA's dot-stuffing and terminating
     * dot not counted. Exact: the bytes each instance writes.
     */
    long size();

    /**
     * Whether the content holds 8-bit bytes (octets above 127): then it may only go to a server
     * offering 8BITMIME, declared with {@code BODY=8BITMIME} (RFC 6152 §3). Messages Mailroom
     * composes are 7-bit (quoted-printable and base64); a raw message is sent as stored.
     */
    boolean eightBit();

    /**
     * Whether the message may only be sent in an SMTPUTF8 transaction (RFC 6531 §3.4): its header
     * fields hold UTF-8 (RFC 6532) — a composed message when a From, Reply-To, To or Cc address has
     * a non-ASCII local part (display names and Subject stay RFC 2047 encoded words), a raw message
     * when its stored header block has any octet above 127. Such a message is also
     * {@link #eightBit()}. The transaction may need SMTPUTF8 for its envelope alone (a Bcc or
     * envelope sender with a UTF-8 local part); that is the envelope's to say, not the message's.
     *
     * <p>A wrapper (a signed message) delegates this to the message it wraps: it adds only ASCII.
     */
    boolean smtpUtf8();

    /**
     * The header fields of a message the application stored itself (raw mode), as stored, for
     * the checks intake can only make once the message is read; empty for a message Mailroom
     * composed from the job's own (already checked) fields.
     */
    List<HeaderField> storedHeaders();

    /**
     * A new instance for one transaction, in {@code session}; an {@link #smtpUtf8()} message's instance
     * is made in a session of its own that writes header fields as UTF-8 ({@code mail.mime.allowutf8}),
     * whatever {@code session} says, so that every instance writes the same bytes.
     */
    SMTPMessage newInstance(Session session) throws MessagingException;

    /**
     * This message with complete header fields written above its own, as they are: a DKIM-Signature
     * (RFC 6376 §5.6) computed over this message's bytes. {@link #size()} grows by their length.
     *
     * @param fields US-ASCII header field lines, each ending in CRLF
     */
    default ComposedMessage withFieldsAbove(byte[] fields) {
        return new FieldsAbove(this, fields);
    }

    /**
     * Writes a new instance as the SMTP transport writes it to the DATA stream: without the fields its
     * ignore list drops (Bcc, Content-Length), before line ends are made CRLF and dots are stuffed.
     * Every call writes the same bytes, so a DKIM signer may hash one write and the transport send
     * another.
     */
    default void writeAsSent(Session session, OutputStream out) throws IOException, MessagingException {
        newInstance(session).writeTo(out, WireSize.SMTP_IGNORED_HEADERS.clone());
    }
}
