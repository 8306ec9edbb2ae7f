package dev.mailroom.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * An event's JSON: compact, SES's field order, no {@code null}s (an optional field is absent, as in
 * SES's examples). Thread-safe; one mapper for the container's life.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private EventJson() {
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
