package dev.mailroom.retry;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.Ledger;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Sends a dead-lettered job again: its archived payload goes back on the send queue and its ledger
 * item is reset (attempts 0, expired recipients pending again, a fresh age). Recipients already
 * delivered stay delivered and are not sent again.
 */
public final class Redrive {

    private final Ledger ledger;
    private final DeadLetters deadLetters;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Clock clock;

    public Redrive(Ledger ledger, DeadLetters deadLetters, SqsClient sqs, String queueUrl, Clock clock) {
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.clock = clock;
    }

    /**
     * @return the SQS message id of the re-enqueued job
     * @throws IllegalArgumentException when the job is unknown or has no archived payload
     * @throws IllegalStateException    when the job is not DEAD_LETTERED
     */
    public String redrive(String jobId) {
        JobRecord job = ledger.find(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
        if (job.archiveKey() == null) {
            throw new IllegalArgumentException("job " + jobId + " has no archived payload");
        }
        String payload = deadLetters.read(job.archiveKey());
        ledger.resetForRedrive(jobId, clock.instant());
        // The job keeps its id even when the payload has none (it was the first message's id).
        return sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(payload).messageAttributes(Map.of(
                DeadLetters.JOB_ID_ATTRIBUTE,
                MessageAttributeValue.builder().dataType("String").stringValue(jobId).build()))).messageId();
    }
}
