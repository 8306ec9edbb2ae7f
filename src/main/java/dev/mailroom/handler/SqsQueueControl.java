package dev.mailroom.handler;

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
        long seconds = Math.min(Math.max(0, delay.toSeconds()), RetryPolicy.MAX_VISIBILITY.toSeconds());
        sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout((int) seconds));
    }
}
