package dev.mailroom.compose;

import dev.mailroom.job.AddressForm;
import dev.mailroom.job.HeaderField;
import dev.mailroom.job.S3Location;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Raw mode: a complete message the application stored, sent as stored ({@link RawMimeMessage}).
 * Its header block is read to check that it is one and to keep its Message-ID; then the whole
 * object is read once, streamed, for its exact size on the wire and whether it is 8-bit — neither
 * can be known from the object's length alone (Mailroom drops Bcc, may add Message-ID and Date,
 * and the SMTP stream makes bare line ends CRLF).
 */
final class RawComposer {

    private static final Pattern HEADER_FIELD = Pattern.compile("(?s)[\\x21-\\x39\\x3B-\\x7E]+:[^\\x00]*");

    private final Session measuring;

    RawComposer(Session measuring) {
        this.measuring = measuring;
    }

    /**
     * @param newMessageId the Message-ID to add when the stored message has none
     * @throws AttachmentException when the object is missing, unreadable or not an RFC 5322 message
     */
    ComposedMessage compose(AttachmentStore store, S3Location location, String date, Supplier<String> newMessageId) {
        InternetHeaders headers;
        try {
            headers = RawMimeMessage.readHeaders(store, location);
        } catch (IOException e) {
            throw new AttachmentException.Unavailable(location, e);
        }
        requireRfc5322(location, headers);
        String storedId = headers.getHeader("Message-ID", null);
        String messageId = storedId != null ? storedId.strip() : newMessageId.get();
        Composed.Factory factory = session -> new RawMimeMessage(session, store, location, messageId, date);
        return new Composed(messageId, measure(location, factory), hasUtf8Fields(headers), fields(headers), factory);
    }

    /**
     * RFC 6532 §3: 8-bit octets in a header field sent (Bcc is not) make it a UTF-8 header, which only an
     * SMTPUTF8 transaction may carry (RFC 6531 §3.1); read as ISO-8859-1, each such octet is above 0x7F.
     */
    private static boolean hasUtf8Fields(InternetHeaders headers) {
        for (Enumeration<String> lines = headers.getNonMatchingHeaderLines(WireSize.SMTP_IGNORED_HEADERS);
             lines.hasMoreElements(); ) {
            if (!AddressForm.isAscii(lines.nextElement())) {
                return true;
            }
        }
        return false;
    }

    private WireSize measure(S3Location location, Composed.Factory factory) {
        try {
            return WireSize.of(factory.create(measuring));
        } catch (IOException e) {
            throw new AttachmentException.Unavailable(location, e);
        } catch (MessagingException e) {
            throw new AttachmentException.Malformed(location, "unreadable header block");
        }
    }

    private static List<HeaderField> fields(InternetHeaders headers) {
        List<HeaderField> fields = new ArrayList<>();
        for (Enumeration<Header> all = headers.getAllHeaders(); all.hasMoreElements(); ) {
            Header header = all.nextElement();
            fields.add(new HeaderField(header.getName(), asUtf8(header.getValue())));
        }
        return fields;
    }

    /**
     * InternetHeaders reads header bytes as ISO-8859-1, one char per byte. Raw 8-bit header bytes are
     * UTF-8 in practice (RFC 6532 §3), and read as Latin-1 their continuation bytes 0x80–0x9F would be
     * C1 control characters; so they are read again as UTF-8, and kept as they were when they are not.
     */
    private static String asUtf8(String latin1) {
        if (latin1.chars().allMatch(c -> c < 0x80)) {
            return latin1;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException notUtf8) {
            return latin1;
        }
    }

    // RFC 5322 §2.2 and §3.6: header fields are "name: value" (printable ASCII names), and a message
    // has a From field. Garbage bytes in the bucket must fail, not go out as mail.
    private static void requireRfc5322(S3Location location, InternetHeaders headers) {
        boolean any = false;
        for (Enumeration<String> lines = headers.getAllHeaderLines(); lines.hasMoreElements(); ) {
            String line = lines.nextElement();
            if (!HEADER_FIELD.matcher(line).matches()) {
                throw new AttachmentException.Malformed(location, "not an RFC 5322 header block");
            }
            any = true;
        }
        if (!any || headers.getHeader("From") == null) {
            throw new AttachmentException.Malformed(location, "no From header");
        }
    }
}
