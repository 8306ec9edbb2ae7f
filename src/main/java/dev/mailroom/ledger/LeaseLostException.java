package dev.mailroom.ledger;

import dev.mailroom.MailroomException;

/**
 * A job's lease is not the caller's. The ledger never throws it — it answers
 * {@link Recording.LeaseLost} and {@link Reconciliation.Busy} — but a handler may, inside its own
 * batch loop, to fail one record: JobProcessor's transitional {@code held} (until the runner rework
 * makes a lost lease a verdict of its own) and DeadLetterHandler for a job still leased.
 */
public final class LeaseLostException extends MailroomException {

    private final String jobId;

    public LeaseLostException(String jobId) {
        super("lease lost on job " + jobId);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
