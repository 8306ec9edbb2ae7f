package dev.mailroom.ledger;

import java.time.Instant;
import java.util.List;

/**
 * A recipient as the ledger holds it. Reply fields are null until an attempt reached a verdict.
 *
 * @param replyCode SMTP reply code; null when no server replied (DNS, connection, attachment
 *                  failures) — nothing is stored then, rather than an invented {@code 0}
 * @param mxHost    the host that answered, or null
 * @param attempts  delivery attempts that included this recipient
 * @param at        when the status was last set
 * @param signedBy  the DKIM keys that signed the message last offered, as their DNS names
 *                  ({@code s2026._domainkey.example.com}); empty when it was unsigned
 */
public record RecipientRecord(RecipientStatus status, Integer replyCode, String enhancedCode, String replyText,
                              String mxHost, int attempts, Instant at, List<String> signedBy) {

    public RecipientRecord {
        signedBy = List.copyOf(signedBy);
    }

    /** A record of no signed message (none offered yet, or unsigned). */
    public RecipientRecord(RecipientStatus status, Integer replyCode, String enhancedCode, String replyText,
                           String mxHost, int attempts, Instant at) {
        this(status, replyCode, enhancedCode, replyText, mxHost, attempts, at, List.of());
    }

    public static RecipientRecord pending(Instant now) {
        return new RecipientRecord(RecipientStatus.PENDING, null, null, null, null, 0, now);
    }

    public RecipientRecord expired(Instant now) {
        return new RecipientRecord(RecipientStatus.EXPIRED, replyCode, enhancedCode, replyText, mxHost, attempts, now,
                signedBy);
    }
}
