package dev.mailroom.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where delivery events go: an SQS queue (MAILROOM_EVENTS_QUEUE_URL; ElasticMQ locally) and an
 * EventBridge bus (MAILROOM_EVENT_BUS, a name or an ARN), either, both or neither. With neither, no
 * event is kept or published: the ledger items carry no outbox. Every role that changes a recipient's
 * status reads it (send, dead-letter, bounce intake, the unsubscribe endpoint, the event sweeper).
 */
public record EventsConfig(Optional<String> queueUrl, Optional<String> bus) {

    public static final String QUEUE_VARIABLE = "MAILROOM_EVENTS_QUEUE_URL";
    public static final String BUS_VARIABLE = "MAILROOM_EVENT_BUS";
    public static final List<String> VARIABLES = List.of(QUEUE_VARIABLE, BUS_VARIABLE);

    /** A bus name as EventBridge allows it, or a bus ARN. */
    private static final Pattern BUS = Pattern.compile("[A-Za-z0-9._\\-/]{1,256}|arn:aws[\\w-]*:events:[\\w-]+:\\d{12}:event-bus/[A-Za-z0-9._\\-/]{1,256}");

    public static final EventsConfig NONE = new EventsConfig(Optional.empty(), Optional.empty());

    public EventsConfig {
        queueUrl = queueUrl.map(String::strip).filter(s -> !s.isEmpty());
        bus = bus.map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Whether any destination is set: only then are events kept in the ledger and published. */
    public boolean publishes() {
        return queueUrl.isPresent() || bus.isPresent();
    }

    static EventsConfig from(Environment env) {
        EventsConfig events = new EventsConfig(env.optional(QUEUE_VARIABLE), env.optional(BUS_VARIABLE));
        events.queueUrl.ifPresent(url -> {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new ConfigException(QUEUE_VARIABLE, "not a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)");
            }
        });
        events.bus.ifPresent(bus -> {
            if (!BUS.matcher(bus).matches()) {
                throw new ConfigException(BUS_VARIABLE, "not an EventBridge bus name or ARN");
            }
        });
        return events;
    }
}
