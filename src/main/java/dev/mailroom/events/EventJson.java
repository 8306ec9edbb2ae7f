package dev.mailroom.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event's JSON: compact, SES's field order, no {@code null}s (an optional field is absent, as in
 * SES's examples). Thread-safe; one mapper for the container's life.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private EventJson() {
    }

    /** The job's {@code mail} object as the ledger keeps it. */
    public static String write(SesMail mail) {
        try {
            return MAPPER.writeValueAsString(mail);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mail object did not serialise", e);
        }
    }

    /** A mail object the ledger kept ({@link #write(SesMail)}). */
    public static SesMail readMail(String json) {
        try {
            return MAPPER.readValue(json, SesMail.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a mail object: " + e.getOriginalMessage(), e);
        }
    }

    static ObjectNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON object", e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(SesEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            // Records of strings, numbers, booleans and lists: nothing here can fail to serialise.
            throw new IllegalStateException("an event did not serialise: " + event.eventType(), e);
        }
    }
}
