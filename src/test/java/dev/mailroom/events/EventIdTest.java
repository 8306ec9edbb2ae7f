package dev.mailroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The de-duplication id: one ledger transition, one id, whenever and however often it is built. */
class EventIdTest {

    @Test
    void theSameTransitionShouldGetTheSameIdWhenPublishedAgainLater() {
        // Given the same DELIVERED record, turned into an event by two factories on different clocks
        var record = EventFixtures.record(JobStatus.DELIVERED, EventFixtures.delivered());
        var now = new SesEvents(Clock.fixed(Instant.parse("2026-03-02T12:00:00Z"), ZoneOffset.UTC), EventFixtures.ORIGIN);
        var later = new SesEvents(Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC),
                EventOrigin.of("other-host.example.com"));

        // Then both events carry one id
        assertThat(now.delivery(now.mail(EventFixtures.job(), record), record, EventFixtures.ANN).eventId())
                .isEqualTo(later.delivery(later.mail(EventFixtures.job(), record), record, EventFixtures.ANN).eventId());
    }

    @Test
    void anIdShouldBeAVersion8UuidFixedForEver() {
        String id = EventId.of("inv-2026-000123", "ann@example.org", "DELIVERED", 1);
        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).isEqualTo(8);
        assertThat(uuid.variant()).isEqualTo(2);
        // Pinned: a change to the derivation would let a consumer see old transitions as new ones.
        assertThat(id).isEqualTo("a76bfc94-c58f-89b2-9058-bd3e351ac840");
    }

    @Test
    void anyDifferentFieldShouldGiveADifferentId() {
        Set<String> ids = Set.of(
                EventId.of("job-1", "ann@example.org", "DEFERRED", 1),
                EventId.of("job-2", "ann@example.org", "DEFERRED", 1),
                EventId.of("job-1", "bob@example.org", "DEFERRED", 1),
                EventId.of("job-1", "ann@example.org", "DELIVERED", 1),
                EventId.of("job-1", "ann@example.org", "DEFERRED", 2),
                EventId.of("job-1", null, "DEFERRED", 1),
                // length-prefixed fields: moving a character across a boundary is another transition
                EventId.of("job-1a", "nn@example.org", "DEFERRED", 1));
        assertThat(ids).hasSize(7);
    }

    @Test
    void twoSpellingsOfOneAddressShouldNameOneTransition() {
        assertThat(EventId.of("job-1", "Ann@EXAMPLE.org", "DELIVERED", 1))
                .isEqualTo(EventId.of("job-1", "ann@example.org", "DELIVERED", 1));
    }

    @Test
    void eachDeferralShouldBeItsOwnEventAndTheSameDeferralOne() {
        var first = EventFixtures.EVENTS.deliveryDelay(EventFixtures.job(),
                EventFixtures.record(JobStatus.DEFERRED, EventFixtures.deferred(1)), EventFixtures.ANN);
        var again = EventFixtures.EVENTS.deliveryDelay(EventFixtures.job(),
                EventFixtures.record(JobStatus.DEFERRED, EventFixtures.deferred(1)), EventFixtures.ANN);
        var second = EventFixtures.EVENTS.deliveryDelay(EventFixtures.job(),
                EventFixtures.record(JobStatus.DEFERRED, EventFixtures.deferred(2)), EventFixtures.ANN);
        assertThat(again.eventId()).isEqualTo(first.eventId());
        assertThat(second.eventId()).isNotEqualTo(first.eventId());
    }
}
