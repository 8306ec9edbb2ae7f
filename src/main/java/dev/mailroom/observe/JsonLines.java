package dev.mailroom.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.function.Consumer;

/** Writes one JSON object per line to a sink (stdout in Lambda, which CloudWatch Logs collects). */
public final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> sink;

    public JsonLines(Consumer<String> sink) {
        this.sink = sink;
    }

    public static JsonLines stdout() {
        return new JsonLines(line -> {
            synchronized (System.out) {
                System.out.println(line);
            }
        });
    }

    void write(Map<String, ?> fields) {
        try {
            sink.accept(JSON.writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("log fields must serialise", e);
        }
    }
}
