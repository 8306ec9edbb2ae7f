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
 * @param suppression the suppression-list entry that kept a SUPPRESSED recipient from being sent
 *                    (reason, scope, source: what a Bounce event of the on-suppression-list kind
 *                    needs); null for every other status
 */
public record RecipientRecord(RecipientStatus status, Integer replyCode, String enhancedCode, String replyText,
                              String mxHost, int attempts, Instant at, List<String> signedBy,
                              Suppression suppression) {

    public RecipientRecord {
        signedBy = List.copyOf(signedBy);
        if ((status == RecipientStatus.SUPPRESSED) != (suppression != null)) {
            throw new IllegalArgumentException("a SUPPRESSED recipient, and only one, names its suppression");
        }
    }

    public RecipientRecord(RecipientStatus status, Integer replyCode, String enhancedCode, String replyText,
                           String mxHost, int attempts, Instant at, List<String> signedBy) {
        this(status, replyCode, enhancedCode, replyText, mxHost, attempts, at, signedBy, null);
    }

    /**
     * A recipient never sent because {@code entry} suppresses it: no reply, its attempts unchanged.
     * The reply text says why, for the status output and {@code lastError}.
     */
    public static RecipientRecord suppressed(Suppression entry, int attempts, Instant now) {
        return new RecipientRecord(RecipientStatus.SUPPRESSED, null, null,
                "on the suppression list (" + entry.reason() + ", " + entry.scope() + ")", null, attempts, now,
                List.of(), entry);
    }

    /** A record of no signed message (none offered yet, or unsigned). */
    public RecipientRecord(RecipientStatus status, Integer replyCode, String enhancedCode, String replyText,
                           String mxHost, int attempts, Instant at) {
        this(status, replyCode, enhancedCode, replyText, mxHost, attempts, at, List.of());
    }

    public static RecipientRecord pending(Instant now) {
        return new RecipientRecord(RecipientStatus.PENDING, null, null, null, null, 0, now);
    }

    /**
     * This recipient open again after a redrive: PENDING, its attempts kept (they count the attempts
     * that included it, and name its events: a redriven attempt's events get new ids, not a repeat of
     * the first life's).
     */
    public RecipientRecord reopened(Instant now) {
        return new RecipientRecord(RecipientStatus.PENDING, null, null, null, null, attempts, now);
    }

    public RecipientRecord expired(Instant now) {
        return new RecipientRecord(RecipientStatus.EXPIRED, replyCode, enhancedCode, replyText, mxHost, attempts, now,
                signedBy);
    }
}
