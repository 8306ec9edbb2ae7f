package dev.mailroom.ledger;

/**
 * What became of an attempt's write to the ledger. Losing the lease is routine — the attempt ran
 * past it and another worker has the job now — so it is a value, not an exception: the attempt's
 * outcomes are that worker's to record, and nothing is sent again on their account.
 */
public sealed interface Recording {

    /** The ledger holds the attempt's outcome. */
    record Recorded() implements Recording {
    }

    /** The lease was no longer the caller's: nothing was written. */
    record LeaseLost(String jobId) implements Recording {
    }
}
