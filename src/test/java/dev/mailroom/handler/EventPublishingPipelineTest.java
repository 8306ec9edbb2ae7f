package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.events.EventId;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.PublishedEvents;
import dev.mailroom.testing.PublishedEvents.Event;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end with an events queue (MAILROOM_EVENTS_QUEUE_URL on ElasticMQ): every recipient
 * transition the ledger records arrives on the queue as an SES-shaped event, once, and only after the
 * ledger holds it; events a writer could not publish stay in the job's item until the next touch or
 * the sweeper publishes them.
 */
class EventPublishingPipelineTest {

    private static final Instant ADDED = Instant.parse("2026-11-28T12:00:00Z");

    private OneMxPipeline world;
    private PipelineHarness pipeline;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private void start(SmtpTestServerBuilder server, Map<String, String> env) {
        world = OneMxPipeline.start(server, env);
        pipeline = world.pipeline();
    }

    @Test
    void aTransactionOfThreeHundredRecipientsShouldRecordAndPublishEveryOne() {
        // Given: one job, 300 recipients in one SMTP transaction (a write of more than one request holds)
        start(SmtpTestServer.builder().greylist("r-7@example.org", 1), Map.of("MAILROOM_MAX_RECIPIENTS", "300",
                "MAILROOM_MAX_RECIPIENTS_PER_TRANSACTION", "300"));
        List<String> cc = java.util.stream.IntStream.range(1, 300).mapToObj(i -> "\"r-" + i + "@example.org\"").toList();
        pipeline.enqueue(PipelineHarness.job("ev-big", "r-0@example.org", "\"cc\":[" + String.join(",", cc) + "]"));

        // When
        pipeline.drain();

        // Then: every recipient delivered, each with its events, nothing left pending
        JobRecord job = pipeline.job("ev-big");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.recipients()).hasSize(300);
        assertThat(job.outbox()).isEmpty();
        Map<String, Event> events = PublishedEvents.byId(pipeline.takeEvents());
        List<String> expected = new java.util.ArrayList<>(List.of(EventId.of("ev-big", null, "SENT", 0),
                EventId.of("ev-big", "r-7@example.org", "DEFERRED", 1),
                EventId.of("ev-big", "r-7@example.org", "DELIVERED", 2)));
        for (int i = 0; i < 300; i++) {
            if (i != 7) {
                expected.add(EventId.of("ev-big", "r-" + i + "@example.org", "DELIVERED", 1));
            }
        }
        assertThat(events).containsOnlyKeys(expected);
    }

    @Test
    void everyTransitionOfAJobShouldArriveOnTheEventsQueueOnceInSesShape() {
        // Given: ann greylisted once, bob refused for good, carl accepted
        start(SmtpTestServer.builder().greylist("ann@example.org", 1)
                .rejectRecipient("bob@example.org", 550, "5.1.1 no such user"), Map.of());
        pipeline.enqueue(PipelineHarness.job("ev-all", "ann@example.org",
                "\"cc\":[\"bob@example.org\",\"carl@example.org\"],\"tags\":{\"tenant\":\"acme\"}"));

        // When the job runs to its end (two attempts)
        pipeline.drain();

        // Then: the queue holds exactly the job's transitions, each once
        JobRecord job = pipeline.job("ev-all");
        List<Event> events = pipeline.takeEvents();
        assertThat(events).extracting(Event::eventId).doesNotHaveDuplicates();
        assertThat(events).extracting(Event::eventId).containsExactlyInAnyOrder(
                EventId.of("ev-all", null, "SENT", 0),
                EventId.of("ev-all", "ann@example.org", "DEFERRED", 1),
                EventId.of("ev-all", "ann@example.org", "DELIVERED", 2),
                EventId.of("ev-all", "bob@example.org", "FAILED", 1),
                EventId.of("ev-all", "carl@example.org", "DELIVERED", 1));
        Map<String, List<String>> byRecipient = events.stream().filter(e -> e.recipient() != null)
                .collect(Collectors.groupingBy(Event::recipient, Collectors.mapping(Event::eventType, Collectors.toList())));
        assertThat(byRecipient).containsOnly(Map.entry("ann@example.org", List.of("DeliveryDelay", "Delivery")),
                Map.entry("bob@example.org", List.of("Bounce")), Map.entry("carl@example.org", List.of("Delivery")));
        // ... in SES's shape, about this job's message
        Event bob = events.stream().filter(e -> "bob@example.org".equals(e.recipient())).findFirst().orElseThrow();
        assertThat(bob.json().at("/bounce/bounceType").asText()).isEqualTo("Permanent");
        assertThat(bob.json().at("/bounce/bouncedRecipients/0/status").asText()).isEqualTo("5.1.1");
        assertThat(bob.json().at("/bounce/bouncedRecipients/0/diagnosticCode").asText()).contains("550");
        Event carl = events.stream().filter(e -> "carl@example.org".equals(e.recipient())).findFirst().orElseThrow();
        assertThat(carl.json().at("/delivery/smtpResponse").asText()).startsWith("250");
        assertThat(carl.json().at("/delivery/reportingMTA").asText()).isEqualTo("mailroom.test");
        assertThat(carl.json().at("/mail/messageId").asText()).isEqualTo(job.messageId().replaceAll("[<>]", ""));
        assertThat(carl.json().at("/mail/tags/tenant/0").asText()).isEqualTo("acme");
        assertThat(carl.jobId()).isEqualTo("ev-all");
        Event delay = events.stream().filter(e -> e.eventType().equals("DeliveryDelay")).findFirst().orElseThrow();
        assertThat(delay.json().at("/deliveryDelay/delayType").asText()).isNotBlank();
        // ... and nothing is left in the item
        assertThat(job.outbox()).isEmpty();
        assertThat(job.announced()).isTrue();
    }

    @Test
    void aSuppressedRecipientShouldYieldABounceOnTheSuppressionListAndNoSmtpSession() {
        // Given: ann on the global suppression list
        AwsTestStack stack = AwsTestStack.shared();
        String table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        new DynamoDbSuppressionList(stack.dynamo(), table).put(new Suppression(SuppressionScope.GLOBAL,
                "ann@example.org", SuppressionReason.COMPLAINT, "arf", ADDED, null));
        start(SmtpTestServer.builder(), Map.of("MAILROOM_SUPPRESSION_TABLE", table));
        pipeline.enqueue(PipelineHarness.job("ev-suppressed", "ann@example.org", null));

        // When
        pipeline.drain();

        // Then: Send, and a Bounce of SES's on-suppression-list kind; no session opened
        assertThat(world.mx().sessionsAccepted()).isZero();
        List<Event> events = pipeline.takeEvents();
        assertThat(events).extracting(Event::eventType).containsExactlyInAnyOrder("Send", "Bounce");
        Event bounce = events.stream().filter(e -> e.eventType().equals("Bounce")).findFirst().orElseThrow();
        assertThat(bounce.json().at("/bounce/bounceType").asText()).isEqualTo("Permanent");
        assertThat(bounce.json().at("/bounce/bounceSubType").asText()).isEqualTo("OnAccountSuppressionList");
        assertThat(bounce.recipient()).isEqualTo("ann@example.org");
    }

    @Test
    void eventsAWriterCouldNotPublishShouldStayInTheItemUntilTheNextTouchPublishesThem() {
        // Given: the events queue is gone while the job is delivered
        start(SmtpTestServer.builder(), Map.of());
        String queueName = pipeline.eventsQueueUrl.substring(pipeline.eventsQueueUrl.lastIndexOf('/') + 1);
        pipeline.stack.sqs().deleteQueue(b -> b.queueUrl(pipeline.eventsQueueUrl));
        String body = PipelineHarness.job("ev-later", "ann@example.org", null);
        pipeline.enqueue(body);
        pipeline.drain();

        // Then: delivered, and its events kept in the item, not lost
        JobRecord job = pipeline.job("ev-later");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.pendingEvents().keySet()).containsExactlyInAnyOrder(EventId.of("ev-later", null, "SENT", 0),
                EventId.of("ev-later", "ann@example.org", "DELIVERED", 1));
        assertThat(pipeline.logs).anyMatch(line -> line.contains("\"event\":\"job.error\"")
                && line.contains("they stay in the ledger item"));

        // When the queue is back and the job's message comes again (SQS delivers at least once)
        assertThat(pipeline.stack.createQueue(queueName)).isEqualTo(pipeline.eventsQueueUrl);
        pipeline.enqueue(body);
        pipeline.drain();

        // Then: the finished job is not sent again, and its events arrive
        assertThat(world.mx().received()).hasSize(1);
        assertThat(pipeline.takeEvents()).extracting(Event::eventType).containsExactlyInAnyOrder("Send", "Delivery");
        assertThat(pipeline.job("ev-later").outbox()).isEmpty();
    }

    @Test
    void theSweeperShouldPublishWhatNoWriterCouldAndNothingTwice() {
        // Given: two jobs delivered while the events queue was gone
        start(SmtpTestServer.builder(), Map.of());
        String queueName = pipeline.eventsQueueUrl.substring(pipeline.eventsQueueUrl.lastIndexOf('/') + 1);
        pipeline.stack.sqs().deleteQueue(b -> b.queueUrl(pipeline.eventsQueueUrl));
        pipeline.enqueue(PipelineHarness.job("ev-swept-1", "ann@example.org", null));
        pipeline.enqueue(PipelineHarness.job("ev-swept-2", "bob@example.org", null));
        pipeline.drain();
        pipeline.stack.createQueue(queueName);

        // When the sweeper runs, twice
        int first = new EventSweepHandler(pipeline.wiring.outbox()).handleRequest(null, null);
        int second = new EventSweepHandler(pipeline.wiring.outbox()).handleRequest(null, null);

        // Then: each job's two events, once
        assertThat(first).isEqualTo(4);
        assertThat(second).isZero();
        List<Event> events = pipeline.takeEvents();
        assertThat(PublishedEvents.byId(events)).hasSize(4);
        assertThat(events).extracting(Event::jobId).containsOnly("ev-swept-1", "ev-swept-2");
        assertThat(pipeline.job("ev-swept-1").outbox()).isEmpty();
    }

    @Test
    void withNoEventDestinationTheLedgerShouldKeepNoEvents() {
        // Given: no events queue configured
        start(SmtpTestServer.builder(), Map.of("MAILROOM_EVENTS_QUEUE_URL", ""));
        pipeline.enqueue(PipelineHarness.job("ev-none", "ann@example.org", null));

        // When
        pipeline.drain();

        // Then: delivered, and the item holds no outbox and no mail object
        JobRecord job = pipeline.job("ev-none");
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.outbox()).isEmpty();
        assertThat(job.mail()).isNull();
        assertThat(pipeline.takeEvents()).isEmpty();
    }
}
