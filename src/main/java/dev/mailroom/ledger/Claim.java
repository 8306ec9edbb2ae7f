package dev.mailroom.ledger;

/** The answer to "may I work on this job now?". */
public sealed interface Claim {

    /** Yes: the lease is ours until {@code job.leaseUntil()}; {@code job.attempts()} counts this attempt. */
    record Granted(JobRecord job) implements Claim {
    }

    /** No: the job is finished. Acknowledge the message without sending (a duplicate delivery). */
    record Finished(JobRecord job) implements Claim {
    }

    /** No: a live worker holds the lease. Leave the message for later. */
    record Busy(JobRecord job) implements Claim {
    }

    /**
     * No: the id names another job — its payload's fingerprint differs, whatever its status. Reject
     * this message (it would otherwise be lost, or mixed into that job); leave {@code job} alone.
     */
    record Conflict(JobRecord job) implements Claim {
    }
}
