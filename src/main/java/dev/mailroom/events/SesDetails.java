package dev.mailroom.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * The per-type objects of SES's event records, one section of "Contents of event data that Amazon
 * SES publishes to Amazon SNS" each (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
 * Every timestamp is ISO 8601 with milliseconds, UTC ({@link Timestamps}); optional fields are left
 * out rather than written as {@code null}, as SES's examples do.
 */
public final class SesDetails {

    private SesDetails() {
    }

    /** § Send object: "always empty", written {@code {}}. */
    public record Send() {
        @JsonValue
        Map<String, Object> json() {
            return Map.of();
        }
    }

    /**
     * § Delivery object. {@code reportingMTA} is "the host name of the Amazon SES mail server that
     * sent the mail", bare as in SES's example ({@code mta.example.com}): Mailroom's EHLO name, not the
     * receiving MX (that goes in the {@code mailroom:mx-host} tag). SES's {@code remoteMtaIp} is left
     * out: the ledger keeps the MX host's name, not the address it connected to.
     *
     * @param processingTimeMillis a JSON number: from the job's acceptance to the 250
     */
    @JsonPropertyOrder({"timestamp", "processingTimeMillis", "recipients", "smtpResponse", "reportingMTA"})
    public record Delivery(String timestamp, long processingTimeMillis, List<String> recipients, String smtpResponse,
                           String reportingMTA) {
        public Delivery {
            recipients = List.copyOf(recipients);
        }
    }

    /**
     * § DeliveryDelay object. {@code reportingMTA} is left out: SES's example has none, and its table
     * calls it "the IP address of the MTA that reported the delay", which Mailroom does not keep.
     *
     * @param delayType      one of SES's delay types ({@link DelayTypes})
     * @param expirationTime when Mailroom stops trying: the job's {@code expiresAt}
     */
    @JsonPropertyOrder({"timestamp", "delayType", "expirationTime", "delayedRecipients"})
    public record DeliveryDelay(String timestamp, String delayType, String expirationTime,
                                List<DelayedRecipient> delayedRecipients) {
        public DeliveryDelay {
            delayedRecipients = List.copyOf(delayedRecipients);
        }
    }

    /** § Delayed recipients: all three fields, as SES's example has them. */
    public record DelayedRecipient(String emailAddress, String status, String diagnosticCode) {
    }

    /**
     * § Bounce object. {@code feedbackId} ("a unique ID for the bounce") is the event's id: one bounce,
     * one transition. {@code reportingMTA} is RFC 3464's Reporting-MTA ({@code dns; host}): Mailroom's
     * EHLO name for a refusal it met itself, the report's own for an asynchronous bounce; absent when a
     * report names none, as SES's table allows.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"bounceType", "bounceSubType", "bouncedRecipients", "timestamp", "feedbackId", "reportingMTA"})
    public record Bounce(String bounceType, String bounceSubType, List<BouncedRecipient> bouncedRecipients,
                         String timestamp, String feedbackId, String reportingMTA) {
        public Bounce {
            bouncedRecipients = List.copyOf(bouncedRecipients);
        }
    }

    /**
     * § Bounced recipients. {@code action}, {@code status} and {@code diagnosticCode} are optional in
     * SES's table ("if a DSN is attached"); Mailroom always knows the first two and leaves out a
     * diagnostic it does not have.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"emailAddress", "action", "status", "diagnosticCode"})
    public record BouncedRecipient(String emailAddress, String action, String status, String diagnosticCode) {
    }

    /**
     * § Complaint object. {@code complaintSubType} is null in SES unless the address was on the
     * account's suppression list, which never reaches a complaint here: left out. {@code arrivalDate}
     * is left out as the table allows ("may be absent in the report"): the feedback parser does not
     * keep the report's Arrival-Date. {@code userAgent} and {@code complaintFeedbackType} are present
     * when the report gave them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"complainedRecipients", "timestamp", "feedbackId", "userAgent", "complaintFeedbackType"})
    public record Complaint(List<ComplainedRecipient> complainedRecipients, String timestamp, String feedbackId,
                            String userAgent, String complaintFeedbackType) {
        public Complaint {
            complainedRecipients = List.copyOf(complainedRecipients);
        }
    }

    public record ComplainedRecipient(String emailAddress) {
    }

    /** § Reject object. SES's only reason is "Bad content"; Mailroom's says what intake refused. */
    public record Reject(String reason) {
    }

    /**
     * The Subscription object (SES's Subscription example): a one-click unsubscribe ends every
     * subscription, so the new preferences say {@code unsubscribeAll: true} and list no topics.
     *
     * @param contactList the suppression scope the unsubscribe applies to ({@code global},
     *                    {@code tenant:acme}), Mailroom's nearest thing to a contact list
     * @param source      {@code UnsubscribeHeader}, as SES names an RFC 8058 one-click unsubscribe
     */
    @JsonPropertyOrder({"contactList", "timestamp", "source", "newTopicPreferences", "oldTopicPreferences"})
    public record Subscription(String contactList, String timestamp, String source,
                               TopicPreferences newTopicPreferences, TopicPreferences oldTopicPreferences) {
    }

    /** SES's topic preferences: the boolean and a list of {@code {topicName, subscriptionStatus}}. */
    public record TopicPreferences(boolean unsubscribeAll, List<TopicSubscriptionStatus> topicSubscriptionStatus) {
        public TopicPreferences {
            topicSubscriptionStatus = List.copyOf(topicSubscriptionStatus);
        }
    }

    /** @param subscriptionStatus {@code OptIn} or {@code OptOut} */
    public record TopicSubscriptionStatus(String topicName, String subscriptionStatus) {
    }
}
