package dev.mailroom.unsubscribe;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Whether a POST body is the one-click unsubscribe of RFC 8058 §3.2: the field
 * {@code List-Unsubscribe=One-Click}, form-encoded ({@code application/x-www-form-urlencoded}, what
 * mailbox providers send) or as {@code multipart/form-data}, which §3.2 allows too. Other fields may
 * come with it; a body without it is not an unsubscribe (a link scanner's empty POST, say).
 */
final class OneClickBody {

    static final String FIELD = "List-Unsubscribe";
    static final String VALUE = "One-Click";
    /** Far above a one-click body (26 bytes form-encoded, a few hundred as multipart): no big bodies parsed. */
    static final int MAX_BYTES = 16 * 1024;

    private OneClickBody() {
    }

    static boolean isOneClick(Optional<String> contentType, byte[] body) {
        if (body.length == 0 || body.length > MAX_BYTES) {
            return false;
        }
        if (contentType.isPresent() && isMultipart(contentType.get())) {
            return multipartHasOneClick(contentType.get(), body);
        }
        // Form-encoded, also when the Content-Type is missing: the body's shape is what counts.
        return formHasOneClick(new String(body, StandardCharsets.UTF_8));
    }

    private static boolean formHasOneClick(String form) {
        for (String pair : form.strip().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && FIELD.equals(decode(pair.substring(0, eq))) && VALUE.equals(decode(pair.substring(eq + 1)))) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return ""; // a bad %-escape: not the field
        }
    }

    private static boolean isMultipart(String contentType) {
        try {
            return new ContentType(contentType).match("multipart/form-data");
        } catch (ParseException e) {
            return false;
        }
    }

    /** RFC 7578: one part per field, named by its Content-Disposition's {@code name}. */
    private static boolean multipartHasOneClick(String contentType, byte[] body) {
        try {
            MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(body, contentType));
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart part = parts.getBodyPart(i);
                String[] disposition = part.getHeader("Content-Disposition");
                if (disposition != null && FIELD.equals(new ContentDisposition(disposition[0]).getParameter("name"))
                        && VALUE.equals(text(part))) {
                    return true;
                }
            }
            return false;
        } catch (MessagingException | IOException e) {
            return false; // not well-formed multipart: not a one-click body
        }
    }

    private static String text(BodyPart part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return new String(in.readNBytes(64), StandardCharsets.UTF_8).strip();
        }
    }
}
