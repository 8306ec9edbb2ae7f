package dev.mailroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer written for SES events reads Mailroom's unchanged. The consumer is written the way SES
 * users write one: Jackson data binding into classes shaped after SES's example records (with the
 * table's documented optional fields), timestamps as {@link Instant}, and Jackson's default
 * FAIL_ON_UNKNOWN_PROPERTIES — an unknown field anywhere fails — except the documented
 * {@code eventId} at the top. The same classes first read SES's own examples, which shows they are
 * an SES consumer and not one fitted to Mailroom.
 */
class SesConsumerTest {

    private static final ObjectMapper CONSUMER = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    @ParameterizedTest
    @ValueSource(strings = {"send", "delivery", "delivery-delay", "bounce", "complaint", "reject", "subscription"})
    void theConsumerShouldReadSesOwnExamples(String type) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/events/ses-examples/" + type + ".json")) {
            assertThat(CONSUMER.readValue(in, SesRecord.class).eventType()).isNotBlank();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"send", "delivery", "delivery-delay", "bounce", "complaint", "reject", "subscription"})
    void theConsumerShouldReadMailroomsEventsUnchanged(String type) throws IOException {
        // Given Mailroom's event of each type, as JSON
        String json = EventJson.write(EventFixtures.everyType().get(type));

        // When SES's consumer reads it
        SesRecord record = CONSUMER.readValue(json, SesRecord.class);

        // Then the mail object is the job's
        assertThat(record.mail().messageId()).isEqualTo("inv-2026-000123@mailroom.example.com");
        assertThat(record.mail().timestamp()).isEqualTo(EventFixtures.CREATED);
        assertThat(record.mail().destination()).containsExactly("ann@example.org", "carl@example.net", "dora@example.net");
        assertThat(record.mail().tags()).containsEntry("tenant", List.of("acme"))
                .containsEntry("mailroom:job-id", List.of("inv-2026-000123"));
    }

    @Test
    void theConsumerShouldReadEachTypesOwnObject() throws IOException {
        Map<String, SesEvent> events = EventFixtures.everyType();
        SesRecord delivery = read(events.get("delivery"));
        assertThat(delivery.delivery().processingTimeMillis()).isEqualTo(11_893L);
        assertThat(delivery.delivery().smtpResponse()).isEqualTo("250 2.0.0 Ok: queued as 4XyZ");
        SesRecord bounce = read(events.get("bounce"));
        assertThat(bounce.bounce().bounceType()).isEqualTo("Permanent");
        assertThat(bounce.bounce().bouncedRecipients().get(0).diagnosticCode()).isEqualTo("smtp; 550 5.1.1 no such user");
        SesRecord delay = read(events.get("delivery-delay"));
        assertThat(delay.deliveryDelay().delayType()).isEqualTo("IPFailure");
        assertThat(delay.deliveryDelay().expirationTime()).isEqualTo(Instant.parse("2026-03-05T09:15:20.101Z"));
        SesRecord subscription = read(events.get("subscription"));
        assertThat(subscription.subscription().newTopicPreferences().unsubscribeAll()).isTrue();
        assertThat(subscription.subscription().contactList()).isEqualTo("tenant:acme");
        assertThat(read(events.get("send")).send()).isNotNull();
        assertThat(read(events.get("reject")).reject().reason()).isEqualTo("subject: contains CR or LF");
        assertThat(read(events.get("complaint")).complaint().complaintFeedbackType()).isEqualTo("abuse");
    }

    private static SesRecord read(SesEvent event) throws IOException {
        return CONSUMER.readValue(EventJson.write(event), SesRecord.class);
    }

    // ---- the consumer's classes, after SES's example records and field tables ----

    @JsonIgnoreProperties({"eventId"})
    record SesRecord(String eventType, Mail mail, Send send, Delivery delivery, DeliveryDelay deliveryDelay,
                     Bounce bounce, Complaint complaint, Reject reject, Subscription subscription) {
    }

    record Mail(Instant timestamp, String source, String sourceArn, String sendingAccountId, String messageId,
                List<String> destination, boolean headersTruncated, List<Header> headers,
                CommonHeaders commonHeaders, Map<String, List<String>> tags) {
    }

    record Header(String name, String value) {
    }

    record CommonHeaders(List<String> from, List<String> to, String messageId, String subject, String date) {
    }

    static final class Send {
    }

    record Delivery(Instant timestamp, long processingTimeMillis, List<String> recipients, String smtpResponse,
                    String reportingMTA, String remoteMtaIp) {
    }

    record DeliveryDelay(Instant timestamp, String delayType, Instant expirationTime,
                         List<DelayedRecipient> delayedRecipients, String reportingMTA) {
    }

    record DelayedRecipient(String emailAddress, String status, String diagnosticCode) {
    }

    record Bounce(String bounceType, String bounceSubType, List<BouncedRecipient> bouncedRecipients, Instant timestamp,
                  String feedbackId, String reportingMTA, String remoteMtaIp) {
    }

    record BouncedRecipient(String emailAddress, String action, String status, String diagnosticCode) {
    }

    record Complaint(List<ComplainedRecipient> complainedRecipients, Instant timestamp, String feedbackId,
                     String complaintSubType, String userAgent, String complaintFeedbackType, Instant arrivalDate) {
    }

    record ComplainedRecipient(String emailAddress) {
    }

    record Reject(String reason) {
    }

    record Subscription(String contactList, Instant timestamp, String source, TopicPreferences newTopicPreferences,
                        TopicPreferences oldTopicPreferences) {
    }

    record TopicPreferences(boolean unsubscribeAll, List<TopicStatus> topicSubscriptionStatus) {
    }

    record TopicStatus(String topicName, String subscriptionStatus) {
    }
}
