package dev.mailroom.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.mailroom.events.SesDetails.Bounce;
import dev.mailroom.events.SesDetails.Complaint;
import dev.mailroom.events.SesDetails.Delivery;
import dev.mailroom.events.SesDetails.DeliveryDelay;
import dev.mailroom.events.SesDetails.Reject;
import dev.mailroom.events.SesDetails.Send;
import dev.mailroom.events.SesDetails.Subscription;

/**
 * One event record in SES's event-publishing shape: the top-level object of "Contents of event data
 * that Amazon SES publishes to Amazon SNS" (§ Top-level JSON object): {@code eventType}, the
 * {@code mail} object, and the one object its type names ({@code delivery} for Delivery…), plus
 * Mailroom's {@code eventId} ({@link EventId}). {@link EventJson} writes it.
 */
public sealed interface SesEvent {

    /** {@code eventType}: SES's names, as SES spells them ("DeliveryDelay", not "Delivery Delay"). */
    @JsonProperty("eventType")
    String eventType();

    SesMail mail();

    /** Mailroom's own field: the same for every publication of one ledger transition. */
    String eventId();

    @JsonPropertyOrder({"eventType", "mail", "send", "eventId"})
    record SendEvent(SesMail mail, Send send, String eventId) implements SesEvent {
        public String eventType() {
            return "Send";
        }
    }

    @JsonPropertyOrder({"eventType", "mail", "delivery", "eventId"})
    record DeliveryEvent(SesMail mail, Delivery delivery, String eventId) implements SesEvent {
        public String eventType() {
            return "Delivery";
        }
    }

    @JsonPropertyOrder({"eventType", "mail", "deliveryDelay", "eventId"})
    record DeliveryDelayEvent(SesMail mail, DeliveryDelay deliveryDelay, String eventId) implements SesEvent {
        public String eventType() {
            return "DeliveryDelay";
        }
    }

    @JsonPropertyOrder({"eventType", "bounce", "mail", "eventId"})
    record BounceEvent(SesMail mail, Bounce bounce, String eventId) implements SesEvent {
        public String eventType() {
            return "Bounce";
        }
    }

    @JsonPropertyOrder({"eventType", "complaint", "mail", "eventId"})
    record ComplaintEvent(SesMail mail, Complaint complaint, String eventId) implements SesEvent {
        public String eventType() {
            return "Complaint";
        }
    }

    @JsonPropertyOrder({"eventType", "mail", "reject", "eventId"})
    record RejectEvent(SesMail mail, Reject reject, String eventId) implements SesEvent {
        public String eventType() {
            return "Reject";
        }
    }

    @JsonPropertyOrder({"eventType", "mail", "subscription", "eventId"})
    record SubscriptionEvent(SesMail mail, Subscription subscription, String eventId) implements SesEvent {
        public String eventType() {
            return "Subscription";
        }
    }
}
