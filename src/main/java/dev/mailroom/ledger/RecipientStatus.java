package dev.mailroom.ledger;

/**
 * One recipient's state. DELIVERED, FAILED and SUPPRESSED are final: such a recipient is never sent
 * again. SUPPRESSED: on the suppression list when its job came to it, so never sent at all.
 */
public enum RecipientStatus {
    PENDING, DELIVERED, DEFERRED, FAILED, EXPIRED, SUPPRESSED;

    public boolean isFinal() {
        return this == DELIVERED || this == FAILED || this == EXPIRED || this == SUPPRESSED;
    }
}
