package dev.mailroom.ledger;

/**
 * What became of an attempt's write to the ledger. Losing the lease is routine — the attempt ran
 * past it and another worker has the job now — so it is a value, not an exception: the attempt's
 * outcomes are that worker's to record, and nothing is sent again on their account.
 */
public sealed interface Recording {

    /**
     * The ledger holds the attempt's outcome.
     *
     * @param job the item after the write, when the ledger returned it: its events still to publish
     *            among them (those of this write, and any an earlier writer left)
     */
    record Recorded(java.util.Optional<JobRecord> job) implements Recording {
    }

    /** The lease was no longer the caller's: nothing was written. */
    record LeaseLost(String jobId) implements Recording {
    }
}
