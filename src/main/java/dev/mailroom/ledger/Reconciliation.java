package dev.mailroom.ledger;

/**
 * What {@link Ledger#reconcileDeadLetter} made of a job whose message reached the DLQ by the queue's
 * redrive policy. A job still leased is no failure of the ledger's: it is a value, and only
 * {@link Busy} asks the caller to come back later.
 */
public sealed interface Reconciliation {

    /**
     * The job is DEAD_LETTERED now, its open recipients EXPIRED; a job never seen has a record now.
     *
     * @param job the item after the write, with the events still to publish
     */
    record DeadLettered(java.util.Optional<JobRecord> job) implements Reconciliation {
    }

    /**
     * Nothing to do, and nothing written: the job was terminal already, or its id belongs to another
     * payload (whose job this one must not end).
     *
     * @param job the record as it stands
     */
    record LeftAlone(JobRecord job) implements Reconciliation {
    }

    /**
     * Not now, and nothing written: a worker holds a live lease on the job, or the job changed while
     * being reconciled. Try again once the lease has run out.
     */
    record Busy(String jobId) implements Reconciliation {
    }
}
