package dev.mailroom.ledger;

/**
 * One recipient's state. DELIVERED, FAILED, SUPPRESSED, BOUNCED and COMPLAINED are final: such a
 * recipient is never sent again. SUPPRESSED: on the suppression list when its job came to it, so
 * never sent at all. BOUNCED and COMPLAINED come after DELIVERED, from a report that arrived later:
 * a permanent delivery status notification (RFC 3464), a complaint (ARF, RFC 5965).
 */
public enum RecipientStatus {
    PENDING, DELIVERED, DEFERRED, FAILED, EXPIRED, SUPPRESSED, BOUNCED, COMPLAINED;

    public boolean isFinal() {
        return this != PENDING && this != DEFERRED;
    }
}
