package dev.mailroom.retry;

/**
 * Where jobs that will never be delivered go, with their reason, so that nothing is silently lost:
 * the payload is archived (retrievable beyond the DLQ's retention) and copied to the dead-letter
 * queue.
 */
public interface DeadLetters {

    /** Message attribute names on dead-letter queue copies. */
    String REASON_ATTRIBUTE = "mailroom-reason";
    String JOB_ID_ATTRIBUTE = "mailroom-job-id";
    String ARCHIVE_ATTRIBUTE = "mailroom-archive-key";

    /**
     * Archives the payload and copies it to the DLQ.
     *
     * @return the archive key, to be referenced from the ledger
     */
    String send(String jobId, String payload, String reason);

    /** Archives a payload that is already on the DLQ (it arrived by redrive). */
    String archive(String jobId, String payload, String reason);

    /** Reads an archived payload back, for redrive. */
    String read(String archiveKey);
}
