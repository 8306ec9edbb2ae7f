package dev.mailroom.compose;

import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMultipart;

/**
 * A multipart whose boundary is chosen once per composed message, not per instance: every instance
 * of the message then writes the same bytes, so the size measured once is each one's exact size.
 * Jakarta Mail's own boundaries carry a counter and a hash code, whose lengths vary.
 */
final class FixedBoundaryMultipart extends MimeMultipart {

    FixedBoundaryMultipart(String subtype, String boundary) {
        super(subtype);
        ContentType type = new ContentType("multipart", subtype, null);
        type.setParameter("boundary", boundary);
        contentType = type.toString();
    }
}
