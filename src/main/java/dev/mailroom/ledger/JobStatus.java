package dev.mailroom.ledger;

/** A job's place in its life (DESIGN.md §3). */
public enum JobStatus {
    QUEUED, SENDING, DEFERRED, DELIVERED, PARTIAL, FAILED, DEAD_LETTERED, REJECTED;

    /** A terminal job is never sent again, whatever SQS redelivers. */
    public boolean isTerminal() {
        return this == DELIVERED || this == PARTIAL || this == FAILED || this == DEAD_LETTERED || this == REJECTED;
    }
}
