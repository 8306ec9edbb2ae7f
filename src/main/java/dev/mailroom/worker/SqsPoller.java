package dev.mailroom.worker;

import dev.mailroom.observe.JobLog;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.run.QueueMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS event source that behaves like Lambda's: long-polls batches of up to 10 messages, runs
 * them through the same runner as the Lambda handler ({@link dev.mailroom.run.BatchDriver}), deletes the ones it did
 * not keep, and leaves those to reappear when their visibility timeout ends (or when the step moved
 * it). A runner that throws fails the whole batch, as in Lambda.
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
    private final BatchHandler batch;
    private final Duration batchTimeout;
    private final Clock clock;
    private final JobLog log;
    private final Object pause = new Object();
    private volatile boolean running = true;
    private Duration backoff = Duration.ZERO;

    /**
     * @param batchTimeout the time each batch gets (as a Lambda timeout); keep it below the queue's
     *                     visibility timeout
     * @param log          where trouble with the queue itself is reported
     */
    public SqsPoller(SqsClient sqs, String queueUrl, BatchHandler batch, Duration batchTimeout, Clock clock,
                     JobLog log) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.batch = batch;
        this.batchTimeout = batchTimeout;
        this.clock = clock;
        this.log = log;
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
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        Set<String> failed;
        try {
            failed = Set.copyOf(batch.run(messages.stream().map(SqsPoller::message).toList(),
                    clock.instant().plus(batchTimeout)));
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

    private static QueueMessage message(Message message) {
        Map<String, String> attributes = new HashMap<>();
        message.messageAttributes().forEach((name, value) -> {
            if (value.stringValue() != null) {
                attributes.put(name, value.stringValue());
            }
        });
        return new QueueMessage(message.messageId(), message.receiptHandle(), message.body(), attributes);
    }
}
