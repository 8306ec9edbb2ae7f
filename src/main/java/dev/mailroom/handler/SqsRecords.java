package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.run.QueueMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lambda's SQS event, translated for the runtime-neutral runner and back: records in as
 * {@link QueueMessage}s, the messages to keep out as the batch item failures of an
 * {@link SQSBatchResponse} (the function's event source mapping has ReportBatchItemFailures).
 */
final class SqsRecords {

    private SqsRecords() {
    }

    /** Runs the event's records through {@code batch}, with the invocation's remaining time as the runner's. */
    static SQSBatchResponse handle(BatchHandler batch, SQSEvent event, Context context, Clock clock) {
        Instant end = clock.instant().plusMillis(context.getRemainingTimeInMillis());
        List<String> kept = batch.run(event.getRecords().stream().map(SqsRecords::message).toList(), end);
        return SQSBatchResponse.builder().withBatchItemFailures(kept.stream()
                .map(id -> SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(id).build())
                .toList()).build();
    }

    static QueueMessage message(SQSEvent.SQSMessage record) {
        Map<String, String> attributes = new HashMap<>();
        if (record.getMessageAttributes() != null) {
            record.getMessageAttributes().forEach((name, attribute) -> {
                if (attribute != null && attribute.getStringValue() != null) {
                    attributes.put(name, attribute.getStringValue());
                }
            });
        }
        return new QueueMessage(record.getMessageId(), record.getReceiptHandle(), record.getBody(), attributes);
    }
}
