package dev.mailroom.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.events.EventOrigin;
import dev.mailroom.events.OutboxEntries.Publishable;
import dev.mailroom.events.SesEvents;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.InMemoryLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A flush publishes batch by batch: one a destination refuses stays, the others go. */
class OutboxFlushTest {

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final String MAIL = "{\"messageId\":\"m-1\",\"tags\":{}}";

    private final InMemoryLedger ledger = new InMemoryLedger();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private volatile String refused;

    private final EventPublisher destination = events -> {
        if (events.stream().anyMatch(event -> event.id().equals(refused))) {
            throw new IllegalStateException("refused");
        }
        events.stream().map(Publishable::id).forEach(published::add);
    };
    private final Outbox outbox = Outbox.publishing(ledger, destination, new SesEvents(Clock.systemUTC(),
            new EventOrigin("mailroom.example.com", Optional.empty(), Optional.empty())),
            new JobLog(new JsonLines(logs::add), Clock.systemUTC()));

    @Test
    void aBatchADestinationRefusesShouldStayWithoutHoldingBackTheOthers() {
        // Given: two writes of one job, each with its batch, neither published yet
        ledger.claim("job-1", PayloadFingerprint.of("{}"), "w", Duration.ofMinutes(5),
                List.of("ann@example.org", "bob@example.org"), null, T0);
        ledger.record(result(JobStatus.SENDING, "ann@example.org", T0.plusSeconds(1))
                .withEvents(MAIL, List.of(event("send", null), event("ann", "ann@example.org")), true));
        ledger.record(result(JobStatus.DELIVERED, "bob@example.org", T0.plusSeconds(2))
                .withEvents(MAIL, List.of(event("bob", "bob@example.org")), false));
        refused = "send";

        // When: a flush while the destination refuses the first batch
        Outbox.Flush flush = outbox.flush(ledger.find("job-1").orElseThrow());

        // Then: the second batch is published and dropped; the first stays, and the failure is logged
        assertThat(flush).isEqualTo(new Outbox.Flush.Failed(1, 2, ((Outbox.Flush.Failed) flush).cause()));
        assertThat(published).containsExactly("bob");
        assertThat(ledger.find("job-1").orElseThrow().pendingEvents()).containsOnlyKeys("send", "ann");
        assertThat(logs).anyMatch(line -> line.contains("job.error") && line.contains("they stay in the ledger item"));

        // When: the destination takes it again and the sweeper runs
        refused = null;
        int swept = outbox.sweep();

        // Then
        assertThat(swept).isEqualTo(2);
        assertThat(published).containsExactly("bob", "send", "ann");
        assertThat(ledger.find("job-1").orElseThrow().outbox()).isEmpty();
    }

    private static OutboxEvent event(String id, String recipient) {
        return new OutboxEvent(id, recipient, "{\"eventType\":\"Delivery\",\"delivery\":{}}");
    }

    private static AttemptResult result(JobStatus status, String recipient, Instant at) {
        return new AttemptResult("job-1", "w", status, "<m-1@example.com>", Map.of(recipient,
                new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx.example.org", 1, at)),
                null, null, null, at);
    }
}
