package dev.mailroom.observe;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one-click endpoint's log lines: each unsubscribe, and each request refused with why. Never the
 * token (a credential for its recipient's unsubscription) nor a request body.
 */
public final class UnsubscribeLog {

    private final JsonLines out;
    private final Clock clock;

    public UnsubscribeLog(JsonLines out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** A recipient unsubscribed: {@code scope} is the suppression's, {@code tokenScope} what the token named. */
    public void unsubscribed(String jobId, String address, String scope, String tokenScope) {
        Map<String, Object> line = base("unsubscribe.done");
        line.put("jobId", jobId);
        line.put("recipient", address);
        line.put("scope", scope);
        line.put("tokenScope", tokenScope);
        out.write(line);
    }

    /** A request answered with a 4xx or 5xx status; nothing was changed. */
    public void refused(String method, int status, String why) {
        Map<String, Object> line = base("unsubscribe.refused");
        line.put("level", status >= 500 ? "ERROR" : "INFO");
        line.put("method", method);
        line.put("status", status);
        line.put("why", why);
        out.write(line);
    }

    private Map<String, Object> base(String event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("event", event);
        return line;
    }
}
