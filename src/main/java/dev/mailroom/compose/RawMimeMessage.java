package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A complete RFC 5322 message stored by the application, sent as it is and streamed: only the
 * header block is parsed, so that {@code Bcc} is dropped (the SMTP transport's ignore list) and a
 * missing Message-ID or Date is supplied (RFC 6409 §8.2, §8.3); the body is copied byte for byte.
 */
final class RawMimeMessage extends SMTPMessage {

    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final AttachmentStore store;
    private final S3Location location;
    private final String messageId;
    private final String date;

    RawMimeMessage(Session session, AttachmentStore store, S3Location location, String messageId, String date) {
        super(session);
        this.store = store;
        this.location = location;
        this.messageId = messageId;
        this.date = date;
    }

    /** Reads just the header block of a stored message. */
    static InternetHeaders readHeaders(AttachmentStore store, S3Location location) throws IOException {
        try (InputStream in = new BufferedInputStream(store.open(location), READ_BUFFER_BYTES)) {
            return new InternetHeaders(in);
        } catch (MessagingException e) {
            throw new IOException("unreadable header block in " + location, e);
        }
    }

    @Override
    public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
        try (InputStream in = new BufferedInputStream(store.open(location), READ_BUFFER_BYTES)) {
            InternetHeaders stored = new InternetHeaders(in);
            if (stored.getHeader("Message-ID") == null) {
                stored.addHeader("Message-ID", messageId);
            }
            if (stored.getHeader("Date") == null) {
                stored.addHeader("Date", date);
            }
            // InternetHeaders reads each byte as one ISO-8859-1 character: written back the same way,
            // every stored header byte goes out as it was, 8-bit ones included.
            for (Enumeration<String> lines = stored.getNonMatchingHeaderLines(ignoreList); lines.hasMoreElements(); ) {
                out.write(lines.nextElement().getBytes(StandardCharsets.ISO_8859_1));
                out.write(CRLF);
            }
            out.write(CRLF);
            in.transferTo(out);
        }
        out.flush();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, MessagingException {
        writeTo(out, null);
    }

    @Override
    public String getMessageID() {
        return messageId;
    }

    private static final byte[] CRLF = {'\r', '\n'};
}
