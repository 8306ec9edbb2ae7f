package dev.mailroom.outbox;

import dev.mailroom.events.OutboxEntries.Publishable;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Events to an EventBridge bus, one entry each: {@code source} {@value #SOURCE}, {@code detail-type}
 * SES's own for that event type on EventBridge ("Email Delivered", "Email Bounced"…), {@code detail}
 * the event's JSON. A rule routes them, e.g. {@code {"source": ["mailroom"], "detail-type": ["Email
 * Bounced", "Email Complaint Received"]}}; SES's own events come as {@code aws.ses}, which no one
 * else may publish.
 */
public final class EventBridgePublisher implements EventPublisher {

    public static final String SOURCE = "mailroom";

    /** SES's detail types, by event type. */
    static final Map<String, String> DETAIL_TYPES = Map.of(
            "Send", "Email Sent",
            "Delivery", "Email Delivered",
            "DeliveryDelay", "Email Delivery Delayed",
            "Bounce", "Email Bounced",
            "Complaint", "Email Complaint Received",
            "Reject", "Email Rejected",
            "Subscription", "Email Subscribed");

    private final EventBridgeClient eventBridge;
    private final String bus;

    /** @param bus the bus's name or ARN */
    public EventBridgePublisher(EventBridgeClient eventBridge, String bus) {
        this.eventBridge = eventBridge;
        this.bus = bus;
    }

    @Override
    public void publish(List<Publishable> events) {
        for (List<Publishable> batch : Batches.of(events)) {
            List<PutEventsRequestEntry> entries = batch.stream().map(event -> PutEventsRequestEntry.builder()
                    .eventBusName(bus).source(SOURCE)
                    .detailType(DETAIL_TYPES.getOrDefault(event.eventType(), "Email " + event.eventType()))
                    .detail(event.json()).build()).toList();
            PutEventsResponse response = eventBridge.putEvents(b -> b.entries(entries));
            if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
                var failed = response.entries().stream().filter(e -> e.errorCode() != null).findFirst();
                throw new IllegalStateException("EventBridge refused " + response.failedEntryCount() + " of "
                        + entries.size() + " events" + failed.map(e -> ": " + e.errorCode() + " " + e.errorMessage())
                        .orElse(""));
            }
        }
    }
}
