package dev.mailroom.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two requests of an outbox flush ({@code Outbox.flush}), as a {@link FaultHttpProxy} sees them
 * go by: the publish (an SQS SendMessageBatch to the events queue) and the ledger's markPublished
 * after it (a DynamoDB UpdateItem that DELETEs the published batches' keys from {@code pendingEvents}). Both
 * travel in the AWS JSON protocol: {@code X-Amz-Target} names the operation, the body its input.
 */
final class OutboxRequests {

    /** One flush's events on their way to the queue, or out of the ledger item. */
    record Flush(String jobId, Set<String> eventIds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEND_MESSAGE_BATCH = "AmazonSQS.SendMessageBatch";
    private static final String UPDATE_ITEM = "DynamoDB_20120810.UpdateItem";
    /**
     * The ledger's attribute of ids still to publish ({@code LedgerItems.PENDING_EVENTS}): the one
     * thing of the item's layout this test knows. Should it be renamed, no markPublished is recognized,
     * the BEFORE_MARK kills never fire, and CrashSafetyTest says so.
     */
    private static final String PENDING_EVENTS = "pendingEvents";
    private static final Pattern DELETE_CLAUSE = Pattern.compile("\\bDELETE\\s+(#\\w+)\\s+(:\\w+)");

    private OutboxRequests() {
    }

    /**
     * The events a SendMessageBatch carries, if it is a publish: every message has an {@code eventId}
     * attribute (only the outbox's publisher sends such messages). The job comes from the first event's
     * {@code mail.tags["mailroom:job-id"]} — a flush publishes one job's events — the ids from each
     * message's {@code eventId} attribute.
     */
    static Optional<Flush> publish(FaultHttpProxy.ProxyRequest request) {
        if (!SEND_MESSAGE_BATCH.equals(request.header("X-Amz-Target"))) {
            return Optional.empty();
        }
        Set<String> ids = new TreeSet<>();
        String jobId = null;
        for (JsonNode entry : parse(request.bodyText()).path("Entries")) {
            JsonNode id = entry.path("MessageAttributes").path("eventId").path("StringValue");
            if (!id.isTextual()) {
                return Optional.empty();
            }
            ids.add(id.asText());
            if (jobId == null) {
                jobId = parse(entry.path("MessageBody").asText()).path("mail").path("tags").path("mailroom:job-id")
                        .path(0).asText(null);
            }
        }
        return jobId == null ? Optional.empty() : Optional.of(new Flush(jobId, ids));
    }

    /** The batch keys a ledger markPublished takes out of a job's {@code pendingEvents}, if the request is one. */
    static Optional<Flush> markPublished(FaultHttpProxy.ProxyRequest request) {
        if (!UPDATE_ITEM.equals(request.header("X-Amz-Target"))) {
            return Optional.empty();
        }
        JsonNode input = parse(request.bodyText());
        Matcher delete = DELETE_CLAUSE.matcher(input.path("UpdateExpression").asText());
        if (!delete.find() || !PENDING_EVENTS.equals(input.path("ExpressionAttributeNames").path(delete.group(1))
                .asText())) {
            return Optional.empty();
        }
        Set<String> ids = new TreeSet<>();
        input.path("ExpressionAttributeValues").path(delete.group(2)).path("SS").forEach(id -> ids.add(id.asText()));
        return Optional.of(new Flush(RandomAwsFaults.jobId(request.bodyText()), ids));
    }

    private static JsonNode parse(String text) {
        try {
            return text == null || text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
