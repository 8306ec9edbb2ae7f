package dev.mailroom.run;

import dev.mailroom.retry.RetryPolicy;
import java.time.Duration;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link QueueControl} on the SQS send queue. */
public final class SqsQueueControl implements QueueControl {

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsQueueControl(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void hide(String receiptHandle, Duration delay) {
        // SQS counts whole seconds: round up, so a message never comes back before its delay (a
        // job whose lease ends in 0.8 s must not be seen again while it is still leased).
        long seconds = Math.min(Math.max(0, ceilSeconds(delay)), RetryPolicy.MAX_VISIBILITY.toSeconds());
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout((int) seconds));
    }

    static long ceilSeconds(Duration delay) {
        return delay.getNano() == 0 ? delay.getSeconds() : delay.getSeconds() + 1;
    }
}
