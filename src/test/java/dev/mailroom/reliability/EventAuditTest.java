package dev.mailroom.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.events.EventId;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.OutboxBatch;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The audit the crash and load suites end with, on records made by hand: what it accepts, what it finds. */
class EventAuditTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final String ANN = "ann@alpha.test";

    @Test
    void aDeliveryAfterTwoDeferralsShouldNeedTheSendTwoDelaysAndTheDeliveryEachOnceWhateverTheCopies() {
        // Given: ann DELIVERED at her third attempt; the delivery published twice
        JobRecord job = job("j1", JobStatus.DELIVERED, RecipientStatus.DELIVERED, 3);
        List<EventAudit.Published> published = new ArrayList<>(List.of(send("j1"), delay("j1", 1), delay("j1", 2),
                event("j1", "DELIVERED", 3, "Delivery")));
        published.add(event("j1", "DELIVERED", 3, "Delivery"));

        // When
        EventAudit.Result result = judge(job, published);

        // Then
        assertThat(result.problems()).isEmpty();
        assertThat(result.expected()).containsOnly(Map.entry("Send", 1), Map.entry("DeliveryDelay", 2),
                Map.entry("Delivery", 1));
        assertThat(result.duplicatesRemoved()).isEqualTo(1);
    }

    @Test
    void aDelayNeverPublishedShouldBeMissing() {
        // Given
        JobRecord job = job("j2", JobStatus.DELIVERED, RecipientStatus.DELIVERED, 2);

        // When: the DeliveryDelay of attempt 1 never came
        EventAudit.Result result = judge(job, List.of(send("j2"), event("j2", "DELIVERED", 2, "Delivery")));

        // Then
        assertThat(result.missing()).extracting(EventAudit.Finding::what)
                .containsExactly("Transition[eventType=DeliveryDelay, recipient=" + ANN + "] "
                        + EventId.of("j2", ANN, "DEFERRED", 1));
    }

    @Test
    void aDeliveryTheLedgerDoesNotHoldShouldBeInvented() {
        // Given: ann delivered at attempt 1, as recorded
        JobRecord job = job("j3", JobStatus.DELIVERED, RecipientStatus.DELIVERED, 1);

        // When: a Delivery of an attempt 2 is published as well
        EventAudit.Result result = judge(job, List.of(send("j3"), event("j3", "DELIVERED", 1, "Delivery"),
                event("j3", "DELIVERED", 2, "Delivery")));

        // Then
        assertThat(result.invented()).hasSize(1);
        assertThat(result.missing()).isEmpty();
    }

    @Test
    void anIdPublishedUnderAnotherTypeShouldBeMislabelled() {
        // Given
        JobRecord job = job("j4", JobStatus.FAILED, RecipientStatus.FAILED, 1);

        // When: its Bounce's id comes as a Delivery
        EventAudit.Result result = judge(job, List.of(send("j4"), event("j4", "FAILED", 1, "Delivery")));

        // Then
        assertThat(result.mislabelled()).hasSize(1);
    }

    @Test
    void anExpiredRecipientsLastDelayShouldBeAllowedEitherWayAndNothingElse() {
        // Given: ann EXPIRED at attempt 2 (its DeliveryDelay at 2 recorded or not, by where the job gave up)
        JobRecord job = job("j5", JobStatus.DEAD_LETTERED, RecipientStatus.EXPIRED, 2);
        List<EventAudit.Published> without = List.of(send("j5"), delay("j5", 1), event("j5", "EXPIRED", 2, "Bounce"));
        List<EventAudit.Published> with = new ArrayList<>(without);
        with.add(delay("j5", 2));
        List<EventAudit.Published> beyond = new ArrayList<>(with);
        beyond.add(delay("j5", 3));

        // When / Then
        assertThat(judge(job, without).problems()).isEmpty();
        assertThat(judge(job, with).problems()).isEmpty();
        assertThat(judge(job, with).undecidedPublished()).isEqualTo(1);
        assertThat(judge(job, beyond).invented()).hasSize(1);
        assertThat(judge(job, List.of(send("j5"), event("j5", "EXPIRED", 2, "Bounce"))).missing()).hasSize(1);
    }

    @Test
    void eventsStillInTheItemShouldBeFoundPending() {
        // Given: every event published, one still pending in the item
        JobRecord settled = job("j6", JobStatus.DELIVERED, RecipientStatus.DELIVERED, 1);
        String delivery = EventId.of("j6", ANN, "DELIVERED", 1);
        JobRecord job = new JobRecord("j6", settled.status(), 1, NOW, NOW, null, null, null, null, null, "<m@x>",
                settled.recipients(), null, null, "{}", true,
                List.of(OutboxBatch.of(List.of(new OutboxEvent(delivery, "{}")))), 0);

        // When
        EventAudit.Result result = judge(job, List.of(send("j6"), event("j6", "DELIVERED", 1, "Delivery")));

        // Then
        assertThat(result.pending()).hasSize(1);
    }

    @Test
    void eventsOfAJobOutsideTheRunShouldBeForeign() {
        // Given
        JobRecord job = job("j7", JobStatus.DELIVERED, RecipientStatus.DELIVERED, 1);

        // When: the queue also holds an event of a job that is not the run's
        EventAudit.Result result = judge(job, List.of(send("j7"), event("j7", "DELIVERED", 1, "Delivery"),
                send("warm-up")));

        // Then
        assertThat(result.foreign()).extracting(EventAudit.Finding::jobId).containsExactly("warm-up");
    }

    private static EventAudit.Result judge(JobRecord job, List<EventAudit.Published> published) {
        return EventAudit.judge(List.of(job.jobId()), id -> Optional.of(job).filter(j -> j.jobId().equals(id)),
                published, 0);
    }

    private static JobRecord job(String jobId, JobStatus status, RecipientStatus ann, int attempts) {
        RecipientRecord record = new RecipientRecord(ann, 250, "2.0.0", "ok", "mx.alpha.test", attempts, NOW);
        return new JobRecord(jobId, status, attempts, NOW, NOW, null, null, null, null, null, "<m@x>",
                Map.of(ANN, record), null, null);
    }

    private static EventAudit.Published send(String jobId) {
        String id = EventId.of(jobId, null, "SENT", 0);
        return new EventAudit.Published(id, "Send", id, "Send", jobId, null);
    }

    private static EventAudit.Published delay(String jobId, int attempt) {
        return event(jobId, "DEFERRED", attempt, "DeliveryDelay");
    }

    private static EventAudit.Published event(String jobId, String transition, int attempt, String type) {
        String id = EventId.of(jobId, ANN, transition, attempt);
        return new EventAudit.Published(id, type, id, type, jobId, ANN);
    }
}
