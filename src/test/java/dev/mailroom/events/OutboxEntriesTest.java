package dev.mailroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An event kept in a job's outbox comes out as it went in: what is published is, field for field,
 * the event {@link SesEvents} made (and SesConsumerTest reads as an SES consumer does), though the
 * item kept the job's mail object only once.
 */
class OutboxEntriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"send", "delivery", "delivery-delay", "bounce", "complaint", "reject", "subscription"})
    void aKeptEventShouldBePublishedExactlyAsItWasMade(String type) throws Exception {
        // Given an event of each type, and its job's mail object as the item keeps it
        SesEvent event = EventFixtures.everyType().get(type);
        SesMail jobMail = EventFixtures.SES.mail(EventFixtures.job(),
                EventFixtures.record(JobStatus.SENDING, EventFixtures.delivered()));
        String keptMail = EventJson.write(jobMail);

        // When it is kept, then completed for publishing
        OutboxEvent kept = OutboxEntries.entry(event, jobMail);
        OutboxEntries.Publishable published = OutboxEntries.publishable(kept, keptMail);

        // Then the published JSON is the event's own, and its id and type are the event's
        assertThat(JSON.readTree(published.json())).isEqualTo(JSON.readTree(EventJson.write(event)));
        assertThat(published.id()).isEqualTo(event.eventId()).isEqualTo(kept.id());
        assertThat(published.eventType()).isEqualTo(event.eventType());
    }

    @Test
    void anEntryShouldKeepOnlyWhatItsEventAddsToTheJobsMailObject() {
        // Given a delivery (its mail object tagged with the MX host) of a job whose headers run to 8 KB
        SesMail jobMail = EventFixtures.SES.mail(EventFixtures.job(),
                EventFixtures.record(JobStatus.SENDING, EventFixtures.delivered()));
        SesMail bigMail = new SesMail(jobMail.timestamp(), jobMail.source(), null, null, jobMail.messageId(),
                jobMail.destination(), false, List.of(new SesMail.Header("X-Big", "x".repeat(8_000))),
                jobMail.commonHeaders(), jobMail.tags());
        SesEvent delivery = EventFixtures.SES.delivery(bigMail.withTags(Map.of()),
                EventFixtures.record(JobStatus.DELIVERED, EventFixtures.delivered()), EventFixtures.ANN);

        // When it is kept
        OutboxEvent kept = OutboxEntries.entry(delivery, bigMail);

        // Then the entry holds neither the headers nor the job's tags: 100 recipients keep 100 small entries
        assertThat(kept.body()).doesNotContain("X-Big").doesNotContain("\"tenant\"").contains("mailroom:mx-host");
        assertThat(kept.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(1_000);
    }
}
