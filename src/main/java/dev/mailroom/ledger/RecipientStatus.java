package dev.mailroom.ledger;

/** One recipient's state. DELIVERED and FAILED are final: such a recipient is never sent again. */
public enum RecipientStatus {
    PENDING, DELIVERED, DEFERRED, FAILED, EXPIRED;

    public boolean isFinal() {
        return this == DELIVERED || this == FAILED || this == EXPIRED;
    }
}
