package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.config.Mailroom;
import dev.mailroom.retry.DeadLetters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The send function: an SQS-triggered Lambda with ReportBatchItemFailures. Each record is one
 * job; a record's failure never fails another, and nothing escapes a record.
 *
 * <p>Time budget: a record is started only if an attempt can still finish before the function's
 * deadline (less a margin for the ledger write); records not started go back as batch failures,
 * and no SMTP session outlives the deadline.
 */
public final class SendHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    /**
     * Kept back from the Lambda deadline (and from the lease) for the ledger write and the visibility
     * change: deliveries end this much before it.
     */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);
    /** Kept back for the visibility change and the batch response: the ledger write ends before it. */
    static final Duration RESPONSE_TIME = Duration.ofSeconds(1);

    private final Mailroom mailroom;

    /** Lambda's entry: wiring happens once per container, here, not per invocation. */
    public SendHandler() {
        this(Mailroom.fromEnvironment());
    }

    public SendHandler(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            if (!handle(message, context)) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(message.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** @return true to acknowledge the message, false to leave it on the queue */
    private boolean handle(SQSEvent.SQSMessage message, Context context) {
        Duration usable = Duration.ofMillis(context.getRemainingTimeInMillis()).minus(SAFETY_MARGIN);
        if (usable.compareTo(mailroom.config().smtp().minimumAttemptTime()) < 0) {
            // Not started: make it visible again at once for the next invocation, rather than
            // after a whole visibility timeout.
            hideQuietly(message, Duration.ZERO);
            return false;
        }
        Instant now = mailroom.clock().instant();
        Instant deliverBy = now.plus(usable);
        Instant recordBy = now.plus(Duration.ofMillis(context.getRemainingTimeInMillis())).minus(RESPONSE_TIME);
        String fallbackJobId = jobIdOf(message);
        try {
            Verdict verdict = mailroom.processor().process(message.getBody(), fallbackJobId, deliverBy, recordBy);
            if (verdict instanceof Verdict.RetryAfter retryAfter) {
                mailroom.queue().hide(message.getReceiptHandle(), retryAfter.delay());
                return false;
            }
            return verdict instanceof Verdict.Done;
        } catch (RuntimeException e) {
            // Infrastructure trouble (throttling, a lost lease, the DLQ unreachable): try again later.
            mailroom.log().error(fallbackJobId, "process", e);
            return false;
        }
    }

    private void hideQuietly(SQSEvent.SQSMessage message, Duration delay) {
        try {
            mailroom.queue().hide(message.getReceiptHandle(), delay);
        } catch (RuntimeException e) {
            // The message still comes back when its visibility timeout ends.
        }
    }

    /** A redriven message carries its job id; otherwise the SQS message id stands in for it. */
    static String jobIdOf(SQSEvent.SQSMessage message) {
        if (message.getMessageAttributes() != null) {
            SQSEvent.MessageAttribute attribute = message.getMessageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE);
            if (attribute != null && attribute.getStringValue() != null) {
                return attribute.getStringValue();
            }
        }
        return message.getMessageId();
    }
}
