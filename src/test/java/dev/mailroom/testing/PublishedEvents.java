package dev.mailroom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The events a queue received, read as a consumer of SES events reads them: the message body parsed
 * as JSON, nothing of Mailroom's code involved.
 */
public final class PublishedEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One received event.
     *
     * @param json the whole message body
     */
    public record Event(String eventId, String eventType, String jobId, String recipient, JsonNode json) {
    }

    private PublishedEvents() {
    }

    /** Every message on {@code queueUrl} now, deleted from it, in the order received. */
    public static List<Event> take(SqsClient sqs, String queueUrl) {
        List<Event> events = new ArrayList<>();
        int emptyPolls = 0;
        while (emptyPolls < 2) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                emptyPolls++;
                continue;
            }
            emptyPolls = 0;
            for (Message message : batch) {
                events.add(parse(message.body()));
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return events;
    }

    public static Event parse(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            String type = json.path("eventType").asText();
            JsonNode jobTag = json.path("mail").path("tags").path("mailroom:job-id").path(0);
            return new Event(json.path("eventId").asText(), type, jobTag.asText(null), recipientOf(type, json), json);
        } catch (IOException e) {
            throw new UncheckedIOException("an event that is not JSON: " + body, e);
        }
    }

    /**
     * The one recipient a per-recipient event names, where SES's type object lists it; null for Send,
     * Reject and Subscription (whose object names none: SES's either).
     */
    private static String recipientOf(String type, JsonNode json) {
        JsonNode recipient = switch (type) {
            case "Delivery" -> json.path("delivery").path("recipients").path(0);
            case "DeliveryDelay" -> json.path("deliveryDelay").path("delayedRecipients").path(0).path("emailAddress");
            case "Bounce" -> json.path("bounce").path("bouncedRecipients").path(0).path("emailAddress");
            case "Complaint" -> json.path("complaint").path("complainedRecipients").path(0).path("emailAddress");
            default -> null;
        };
        return recipient == null || recipient.isMissingNode() ? null : recipient.asText();
    }

    /** The events de-duplicated by {@code eventId}, the first copy of each kept, in order. */
    public static Map<String, Event> byId(Collection<Event> events) {
        Map<String, Event> unique = new LinkedHashMap<>();
        events.forEach(event -> unique.putIfAbsent(event.eventId(), event));
        return unique;
    }
}
