package dev.mailroom.outbox;

import dev.mailroom.events.OutboxEntries.Publishable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Events to an SQS queue, one message each: the body is the event's JSON, as SES's own SQS
 * destination (through SNS, raw delivery) would carry it; message attributes {@code eventType} and
 * {@code eventId} let a consumer filter or de-duplicate without parsing the body.
 */
public final class SqsEventPublisher implements EventPublisher {

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsEventPublisher(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void publish(List<Publishable> events) {
        for (List<Publishable> batch : Batches.of(events)) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Publishable event = batch.get(i);
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(event.json())
                        .messageAttributes(Map.of(
                                "eventType", MessageAttributeValue.builder().dataType("String")
                                        .stringValue(event.eventType()).build(),
                                "eventId", MessageAttributeValue.builder().dataType("String")
                                        .stringValue(event.id()).build()))
                        .build());
            }
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("the events queue refused " + response.failed().size() + " of "
                        + entries.size() + " events: " + response.failed().get(0).code() + " "
                        + response.failed().get(0).message());
            }
        }
    }
}
