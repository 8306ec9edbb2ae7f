package dev.mailroom.events;

import dev.mailroom.ledger.RecipientRecord;
import java.util.StringJoiner;

/** A recipient's recorded reply in SES's words: {@code smtpResponse}, {@code status}, {@code diagnosticCode}. */
final class Replies {

    private Replies() {
    }

    /** The reply as the server gave it, {@code 250 2.0.0 Ok: queued}: code, enhanced code, text. */
    static String smtpResponse(RecipientRecord rec) {
        StringJoiner reply = new StringJoiner(" ");
        if (rec.replyCode() != null) {
            reply.add(Integer.toString(rec.replyCode()));
        }
        if (rec.enhancedCode() != null && !rec.enhancedCode().isBlank()) {
            reply.add(rec.enhancedCode());
        }
        if (rec.replyText() != null && !rec.replyText().isBlank()) {
            reply.add(rec.replyText());
        }
        return reply.toString();
    }

    /** The enhanced status code (RFC 3463), or {@code fallback} when none was recorded. */
    static String status(RecipientRecord rec, String fallback) {
        return rec.enhancedCode() == null || rec.enhancedCode().isBlank() ? fallback : rec.enhancedCode();
    }

    /**
     * RFC 3464 §2.3.6's Diagnostic-Code, {@code smtp; 550 5.1.1 no such user}, as SES writes it. A
     * failure with no reply (DNS, connection) gets Mailroom's own words after {@code smtp;} — SES
     * too writes {@code smtp; 421 4.4.1 Unable to connect to remote host} for one it met itself.
     */
    static String diagnosticCode(RecipientRecord rec) {
        return "smtp; " + smtpResponse(rec);
    }
}
