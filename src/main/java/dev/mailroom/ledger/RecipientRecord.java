package dev.mailroom.ledger;

import java.time.Instant;

/**
 * A recipient as the ledger holds it. Reply fields are empty ({@code 0}/null) until an attempt
 * reached a verdict.
 *
 * @param replyCode SMTP reply code, {@code 0} when the failure produced none
 * @param mxHost    the host that answered, or null
 * @param attempts  delivery attempts that included this recipient
 * @param at        when the status was last set
 */
public record RecipientRecord(RecipientStatus status, int replyCode, String enhancedCode, String replyText,
                              String mxHost, int attempts, Instant at) {

    public static RecipientRecord pending(Instant now) {
        return new RecipientRecord(RecipientStatus.PENDING, 0, null, null, null, 0, now);
    }

    public RecipientRecord expired(Instant now) {
        return new RecipientRecord(RecipientStatus.EXPIRED, replyCode, enhancedCode, replyText, mxHost, attempts, now);
    }
}
