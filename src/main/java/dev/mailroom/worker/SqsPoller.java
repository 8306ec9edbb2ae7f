package dev.mailroom.worker;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.observe.JobLog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS event source that behaves like Lambda's: long-polls batches of up to 10 messages, hands
 * them to the handler as an {@link SQSEvent}, deletes the ones the handler did not report as
 * failures, and leaves the failures to reappear when their visibility timeout ends (or when the
 * handler moved it). A handler that throws fails the whole batch, as in Lambda.
 *
 * <p>This is worker mode (the same pipeline on a host where port 25 is open) and the local event
 * source of the local stack and the tests.
 */
public final class SqsPoller {

    private static final int MAX_BATCH = 10;
    private static final int LONG_POLL_SECONDS = 20;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final SqsClient sqs;
    private final String queueUrl;
    private final RequestHandler<SQSEvent, SQSBatchResponse> handler;
    private final Duration batchTimeout;
    private final Clock clock;
    private final JobLog log;
    private final String queueArn;
    private final Object pause = new Object();
    private volatile boolean running = true;
    private Duration backoff = Duration.ZERO;

    /**
     * @param batchTimeout the time budget the handler gets per batch (as a Lambda timeout); keep
     *                     it below the queue's visibility timeout
     * @param log          where trouble with the queue itself is reported
     */
    public SqsPoller(SqsClient sqs, String queueUrl, RequestHandler<SQSEvent, SQSBatchResponse> handler,
                     Duration batchTimeout, Clock clock, JobLog log) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.handler = handler;
        this.batchTimeout = batchTimeout;
        this.clock = clock;
        this.log = log;
        this.queueArn = "arn:aws:sqs:local:000000000000:" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    /**
     * Polls until {@link #stop()}; the batch in hand is always finished first. Trouble with SQS
     * itself (throttling, an outage, expired credentials) is logged and waited out with a backoff
     * of 1 s doubling to 30 s: a worker outlives the queue's bad minutes.
     */
    public void run() {
        while (running) {
            pollSafely(LONG_POLL_SECONDS);
        }
    }

    /**
     * Polls until the queue holds no message at all, visible or in flight; deferred jobs keep it
     * non-empty until they are done.
     *
     * @param idlePollSeconds long-poll wait per receive while waiting for invisible messages
     */
    public void runUntilEmpty(int idlePollSeconds) {
        while (running) {
            if (pollSafely(idlePollSeconds) == 0 && isEmpty()) {
                return;
            }
        }
    }

    /** Asks the loop to end after the batch in hand (or at once, if it is backing off). */
    public void stop() {
        running = false;
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    /** @return the number of messages received, -1 after trouble */
    private int pollSafely(int waitSeconds) {
        try {
            int received = pollOnce(waitSeconds);
            backoff = Duration.ZERO;
            return received;
        } catch (RuntimeException e) {
            // Messages of a batch whose delete failed come back and find their jobs done in the ledger.
            backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
            log.error(null, "poll " + queueUrl + " (retrying in " + backoff.toSeconds() + " s)", e);
            pause(backoff);
            return -1;
        }
    }

    private void pause(Duration duration) {
        synchronized (pause) {
            if (running) {
                try {
                    pause.wait(duration.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** @return the number of messages received */
    public int pollOnce(int waitSeconds) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(MAX_BATCH)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        Set<String> failed;
        try {
            SQSBatchResponse response = handler.handleRequest(event(messages),
                    new PollerContext(clock.instant().plus(batchTimeout), clock));
            failed = response.getBatchItemFailures().stream()
                    .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
        } catch (RuntimeException e) {
            return messages.size();
        }
        List<DeleteMessageBatchRequestEntry> done = messages.stream()
                .filter(m -> !failed.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
        }
        return messages.size();
    }

    private boolean isEmpty() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().allMatch("0"::equals);
    }

    private SQSEvent event(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message message : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queueArn);
            Map<String, String> attributes = new HashMap<>();
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.setAttributes(attributes);
            Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
            message.messageAttributes().forEach((name, value) -> {
                SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
                attribute.setDataType(value.dataType());
                attribute.setStringValue(value.stringValue());
                messageAttributes.put(name, attribute);
            });
            record.setMessageAttributes(messageAttributes);
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }
}
