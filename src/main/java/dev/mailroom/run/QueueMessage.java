package dev.mailroom.run;

import dev.mailroom.retry.DeadLetters;
import java.util.Map;

/**
 * One message taken from a queue, as every runner sees it: Lambda's SQS event records and the
 * worker's ReceiveMessage results both become this, so the same steps run on both.
 *
 * @param attributes the message's String attributes (name → value); empty when it has none
 */
public record QueueMessage(String messageId, String receiptHandle, String body, Map<String, String> attributes) {

    public QueueMessage {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A redriven message carries its job id; otherwise the message id stands in for it. */
    public String fallbackJobId() {
        return attributes.getOrDefault(DeadLetters.JOB_ID_ATTRIBUTE, messageId);
    }
}
