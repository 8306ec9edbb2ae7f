package dev.mailroom.feedback;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The MIME tree of an inbound message, flattened: Jakarta Mail does the parsing and decoding; this
 * only walks it. Multiparts are parsed from their raw bytes rather than through
 * {@code getContent()}, so that no mailcap handler (Angus's strict multipart/report one among them)
 * can reject a report that is merely untidy.
 */
final class Parts {

    private static final int MAX_DEPTH = 8;

    private Parts() {
    }

    /** Every leaf and message/rfc822 part, depth first, the top part included. */
    static List<Part> flatten(Part top) {
        List<Part> out = new ArrayList<>();
        walk(top, 0, out);
        return out;
    }

    private static void walk(Part part, int depth, List<Part> out) {
        out.add(part);
        if (depth >= MAX_DEPTH || !isType(part, "multipart/")) {
            return;
        }
        try {
            Multipart multipart = new MimeMultipart(new ByteArrayDataSource(part.getInputStream(), contentType(part)));
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                walk(child, depth + 1, out);
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            // An unreadable multipart (no boundary, truncated): keep what was read, the rest is text.
        }
    }

    /** The part's media type in lower case, "text/plain" when absent or unparsable (RFC 2045 §5.2). */
    static String mediaType(Part part) {
        try {
            return new ContentType(contentType(part)).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return "text/plain";
        }
    }

    static boolean isType(Part part, String prefix) {
        return mediaType(part).startsWith(prefix);
    }

    static String parameter(Part part, String name) {
        try {
            String value = new ContentType(contentType(part)).getParameter(name);
            return value == null ? "" : value.toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return "";
        }
    }

    /** The decoded bytes of a part (transfer encoding undone); empty when unreadable. */
    static byte[] bytes(Part part) {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        } catch (MessagingException | IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /** The decoded text of a part in its declared charset, UTF-8 when unknown. */
    static String text(Part part) {
        return new String(bytes(part), charset(part));
    }

    private static Charset charset(Part part) {
        String name = parameter(part, "charset");
        try {
            return name.isEmpty() ? StandardCharsets.UTF_8 : Charset.forName(jakarta.mail.internet.MimeUtility.javaCharset(name));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private static String contentType(Part part) throws MessagingException {
        String type = part.getContentType();
        return type == null ? "text/plain" : type;
    }
}
