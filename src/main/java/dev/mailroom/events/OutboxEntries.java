package dev.mailroom.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.job.AddressForm;
import dev.mailroom.ledger.OutboxEvent;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events as a job's ledger item keeps them until they are published, and back. The item holds the
 * job's {@code mail} object once ({@link EventJson#write(SesMail)}); each kept event is its JSON
 * without it, plus the tags its own {@code mail} has beyond the job's (the MX host that answered) under
 * {@code mailTags}. A job of 100 recipients then keeps 100 small entries, not 100 copies of up to 10 KB
 * of headers. {@link #publishable} puts the two back together: the event as it was made.
 */
public final class OutboxEntries {

    static final String MAIL_TAGS = "mailTags";

    private OutboxEntries() {
    }

    /** A job's own {@code event} (Send, Reject) as its outbox keeps it, beside {@code jobMail}. */
    public static OutboxEvent entry(SesEvent event, SesMail jobMail) {
        return entry(event, jobMail, null);
    }

    /**
     * {@code event} as its job's outbox keeps it, beside {@code jobMail}.
     *
     * @param recipient the recipient whose transition it reports, in any spelling; null for the job's own
     */
    public static OutboxEvent entry(SesEvent event, SesMail jobMail, String recipient) {
        ObjectNode node = EventJson.tree(event);
        node.remove("mail");
        Map<String, List<String>> own = new TreeMap<>(event.mail().tags());
        own.entrySet().removeIf(tag -> tag.getValue().equals(jobMail.tags().get(tag.getKey())));
        if (!own.isEmpty()) {
            node.set(MAIL_TAGS, EventJson.tree(own));
        }
        return new OutboxEvent(event.eventId(), recipient == null ? null : AddressForm.key(recipient), node.toString());
    }

    /**
     * The kept {@code entry} completed with its job's mail object: the event's JSON as {@link EventJson}
     * writes it ({@code eventType} first, then {@code mail}, then the rest).
     *
     * @param jobMail the item's mail object, as {@link EventJson#write(SesMail)} wrote it
     */
    public static Publishable publishable(OutboxEvent entry, String jobMail) {
        ObjectNode kept = EventJson.parse(entry.body());
        ObjectNode mail = EventJson.parse(jobMail);
        JsonNode own = kept.remove(MAIL_TAGS);
        if (own != null && own.isObject()) {
            ObjectNode tags = mail.with("tags");
            own.fields().forEachRemaining(tag -> tags.set(tag.getKey(), tag.getValue()));
            sortFields(tags);
        }
        ObjectNode event = EventJson.object();
        event.set("eventType", kept.remove("eventType"));
        event.set("mail", mail);
        event.setAll(kept);
        return new Publishable(entry.id(), event.path("eventType").asText(), event.toString());
    }

    private static void sortFields(ObjectNode node) {
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            sorted.put(field.getKey(), field.getValue());
        }
        node.removeAll();
        node.setAll(sorted);
    }

    /**
     * An event ready for a destination.
     *
     * @param id        its de-duplication id ({@link EventId})
     * @param eventType SES's name of its type ({@code Delivery}, {@code Bounce}…)
     * @param json      the whole event, SES's shape
     */
    public record Publishable(String id, String eventType, String json) {
    }
}
