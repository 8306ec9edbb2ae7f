package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.config.Mailroom;
import dev.mailroom.ledger.LeaseLostException;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.Reconciliation;
import dev.mailroom.retry.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The dead-letter function, on the DLQ. Copies that Mailroom put there itself (rejected or expired
 * jobs, recognisable by their reason attribute) are already archived and recorded. The others got
 * there through the queue's redrive policy — the send function crashed or timed out on them again
 * and again: their payload is archived to S3 and their ledger item reconciled to DEAD_LETTERED
 * with the reason "exceeded receive count", unless the job is already terminal or its id belongs
 * to another payload (that job is left alone; this payload stays in the archive).
 */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mailroom mailroom;

    public DeadLetterHandler() {
        this(Mailroom.fromEnvironment());
    }

    public DeadLetterHandler(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            try {
                reconcile(message);
            } catch (RuntimeException e) {
                mailroom.log().error(message.getMessageId(), "dead-letter", e);
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(message.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    private void reconcile(SQSEvent.SQSMessage message) {
        Map<String, SQSEvent.MessageAttribute> attributes = message.getMessageAttributes();
        if (attributes != null && attributes.containsKey(DeadLetters.REASON_ATTRIBUTE)) {
            return;
        }
        String jobId = jobIdOf(message);
        // The DLQ's own receive count is no guide to how often the send function failed on it.
        String reason = "exceeded receive count";
        String archiveKey = mailroom.deadLetters().archive(jobId, message.getBody(), reason);
        Reconciliation reconciled = mailroom.ledger().reconcileDeadLetter(jobId, PayloadFingerprint.of(message.getBody()),
                reason, archiveKey, mailroom.clock().instant());
        if (reconciled instanceof Reconciliation.Busy busy) {
            // A worker may still be on the job: fail this copy, so that the DLQ hands it back later.
            throw new LeaseLostException(busy.jobId());
        }
    }

    /** The body's jobId if it has a readable one (it may be the very poison that crashed us). */
    private static String jobIdOf(SQSEvent.SQSMessage message) {
        try {
            JsonNode body = JSON.readTree(message.getBody());
            if (body != null && body.path("jobId").isTextual()) {
                return body.get("jobId").asText();
            }
        } catch (Exception e) {
            // not JSON: fall back to the message id, which SQS keeps when it moves a message to the DLQ
        }
        return SendHandler.jobIdOf(message);
    }
}
