package dev.mailroom.unsubscribe;

import java.util.Map;

/**
 * What the endpoint answers: a status, a few header fields and a small UTF-8 body (HTML or plain
 * text). The runtime adapter turns it into its own response type.
 */
public record HttpAnswer(int status, Map<String, String> headers, String body) {

    public HttpAnswer {
        headers = Map.copyOf(headers);
    }
}
