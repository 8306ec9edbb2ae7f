package dev.mailroom.ledger;

import dev.mailroom.MailroomException;

/** A conditional write found that the caller no longer holds the job's lease. */
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
