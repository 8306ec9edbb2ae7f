package dev.mailroom.run;

import dev.mailroom.sign.MessageSigning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.S3Location;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.observe.Metrics;
import dev.mailroom.resolve.MxResolver;
import dev.mailroom.resolve.Route;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.RetryPolicy;
import dev.mailroom.testing.InMemoryLedger;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestEngines;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * JobProcessor's branches — busy, finished, rejected, expired, out of attempts, deferred, dead-lettered
 * after a failed attempt, lease lost — specified on the in-memory ledger (which honours the
 * DynamoDB ledger's conditions, LedgerContract) and a resolver that answers at once, so each runs
 * in milliseconds and no server is needed. The pipeline tests run the same paths on the emulators.
 */
class JobProcessorTest {

    private static final Instant T0 = Instant.parse("2030-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    private static final Duration LEASE = Duration.ofMinutes(15);
    private static final String BODY = PipelineHarness.job("job-1", "ann@example.org", "");
    private static final AttemptBudget BUDGET = AttemptBudget.before(T0.plusSeconds(900), CLOCK, Duration.ofSeconds(10))
            .orElseThrow();

    private final InMemoryLedger ledger = new InMemoryLedger();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final AtomicInteger owners = new AtomicInteger();
    /** What every MX lookup answers; a test may also act while the attempt is under way. */
    private volatile MxResolver resolver = (domain, deadline) -> new Route.LookupFailed("SERVFAIL for " + domain);
    private DeliveryEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aJobLeasedByALiveWorkerShouldComeBackWhenTheLeaseEnds() {
        // Given
        ledger.claim("job-1", PayloadFingerprint.of(BODY), "worker-a", Duration.ofSeconds(40), List.of("ann@example.org"),
                null, T0);

        // When
        Verdict verdict = processor(RetryPolicy.defaults()).process(BODY, "message-1", BUDGET);

        // Then
        assertThat(verdict).isEqualTo(new Verdict.RetryAfter(Duration.ofSeconds(41)));
        assertThat(deadLetters.sent).isEmpty();
    }

    @Test
    void aFinishedJobShouldBeAcknowledgedWithoutAnotherAttempt() {
        // Given: the first copy of the message was delivered
        ledger.claim("job-1", PayloadFingerprint.of(BODY), "worker-a", LEASE, List.of("ann@example.org"), null, T0);
        ledger.record(new AttemptResult("job-1", "worker-a", JobStatus.DELIVERED, null, Map.of(), null, null, null, T0));
        resolver = (domain, deadline) -> {
            throw new AssertionError("a finished job is not delivered again");
        };

        // When: SQS delivers the message again
        Verdict verdict = processor(RetryPolicy.defaults()).process(BODY, "message-1", BUDGET);

        // Then
        assertThat(verdict).isEqualTo(new Verdict.Done());
        assertThat(ledger.find("job-1").orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void anInvalidJobShouldBeRejectedToTheDeadLetterQueueAndAcknowledged() {
        // When
        Verdict verdict = processor(RetryPolicy.defaults()).process("{\"version\":1,\"jobId\":\"bad-1\"}", "message-1",
                BUDGET);

        // Then
        assertThat(verdict).isEqualTo(new Verdict.Done());
        assertThat(ledger.find("bad-1").orElseThrow().status()).isEqualTo(JobStatus.REJECTED);
        assertThat(deadLetters.sent).singleElement().satisfies(letter -> assertThat(letter.reason())
                .isEqualTo("rejected: from: is required"));
        assertThat(logs).anyMatch(line -> line.contains("\"Rejected\":1"));
    }

    @Test
    void aJobPastItsExpiryShouldBeDeadLetteredWithoutAnAttempt() {
        // Given
        String body = PipelineHarness.job("job-2", "ann@example.org", "\"expiresAt\":\"2030-06-01T11:00:00Z\"");

        // When
        Verdict verdict = processor(RetryPolicy.defaults()).process(body, "message-1", BUDGET);

        // Then: the attempt the claim counted is given back, and the payload is in the DLQ with the reason
        JobRecord job = ledger.find("job-2").orElseThrow();
        assertThat(verdict).isEqualTo(new Verdict.Done());
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).isEqualTo("expired: deadline 2030-06-01T11:00:00Z passed");
        assertThat(job.attempts()).isZero();
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(deadLetters.sent).singleElement().satisfies(letter -> assertThat(letter.payload()).isEqualTo(body));
    }

    @Test
    void aJobOutOfAttemptsShouldBeDeadLetteredWithoutAnotherAttempt() {
        // Given: two attempts crashed after their claims (each claim counts one), of two allowed
        RetryPolicy twoAttempts = new RetryPolicy(2, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);
        for (String crashed : List.of("worker-a", "worker-b")) {
            ledger.claim("job-1", PayloadFingerprint.of(BODY), crashed, LEASE, List.of("ann@example.org"), null, T0);
            ledger.expireLease("job-1");
        }

        // When
        Verdict verdict = processor(twoAttempts).process(BODY, "message-1", BUDGET);

        // Then
        JobRecord job = ledger.find("job-1").orElseThrow();
        assertThat(verdict).isEqualTo(new Verdict.Done());
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).isEqualTo("max attempts reached (2 of 2)");
    }

    @Test
    void aTransientFailureShouldDeferTheJobWithTheRetryPolicysDelay() {
        // Given
        RetryPolicy noJitter = new RetryPolicy(12, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        // When
        Verdict verdict = processor(noJitter).process(BODY, "message-1", BUDGET);

        // Then
        JobRecord job = ledger.find("job-1").orElseThrow();
        assertThat(verdict).isEqualTo(new Verdict.RetryAfter(Duration.ofMinutes(5)));
        assertThat(job.status()).isEqualTo(JobStatus.DEFERRED);
        assertThat(job.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(job.leaseOwner()).isNull();
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.DEFERRED);
        assertThat(deadLetters.sent).isEmpty();
    }

    @Test
    void aTransientFailureOnTheLastAttemptShouldDeadLetterTheJobWithItsRecipientsExpired() {
        // Given
        RetryPolicy oneAttempt = new RetryPolicy(1, Duration.ofDays(3), Duration.ofMinutes(5), Duration.ofHours(1), 0);

        // When
        Verdict verdict = processor(oneAttempt).process(BODY, "message-1", BUDGET);

        // Then
        JobRecord job = ledger.find("job-1").orElseThrow();
        assertThat(verdict).isEqualTo(new Verdict.Done());
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.lastError()).isEqualTo("max attempts reached (1 of 1)");
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.EXPIRED);
        assertThat(job.archiveKey()).isEqualTo(deadLetters.sent.get(0).key());
    }

    @Test
    void anAttemptThatOutlivedItsLeaseShouldRecordNothingAndLeaveTheMessageToItsNewOwner() {
        // Given: while the attempt resolves, its lease runs out and another worker claims the job
        resolver = (domain, deadline) -> {
            ledger.expireLease("job-1");
            ledger.claim("job-1", PayloadFingerprint.of(BODY), "worker-b", LEASE, List.of("ann@example.org"), null, T0);
            return new Route.LookupFailed("SERVFAIL for " + domain);
        };

        // When
        Verdict verdict = processor(RetryPolicy.defaults()).process(BODY, "message-1", BUDGET);

        // Then: worker-b's claim stands, and the loss is logged as routine, not as trouble
        JobRecord job = ledger.find("job-1").orElseThrow();
        assertThat(verdict).isEqualTo(new Verdict.LeaseLost("job-1"));
        assertThat(job.status()).isEqualTo(JobStatus.SENDING);
        assertThat(job.leaseOwner()).isEqualTo("worker-b");
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.PENDING);
        assertThat(logs).anyMatch(line -> line.contains("\"event\":\"job.lease-lost\""))
                .noneMatch(line -> line.contains("\"event\":\"job.error\""));
    }

    private JobProcessor processor(RetryPolicy retry) {
        JsonLines out = new JsonLines(logs::add);
        MessageComposer composer = new MessageComposer(new NoStore(), CLOCK);
        engine = new DeliveryEngine(TestEngines.mxSettings(25), (domain, deadline) -> resolver.resolve(domain, deadline),
                composer, MessageSigning.none(), CLOCK);
        JobIntake intake = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of(PipelineHarness.SENDER_DOMAIN)),
                Set.of());
        return new JobProcessor(new Stages(intake, ledger, engine, deadLetters),
                new AttemptRules(retry, LEASE, () -> "worker-" + owners.incrementAndGet(), new java.util.Random(1), CLOCK),
                new JobLog(out, CLOCK), new Metrics(out, CLOCK));
    }

    /** The jobs here attach nothing from S3. */
    private static final class NoStore implements AttachmentStore {
        @Override
        public long size(S3Location location) {
            throw new AssertionError("no stored object expected: " + location);
        }

        @Override
        public InputStream open(S3Location location) {
            throw new AssertionError("no stored object expected: " + location);
        }
    }

    private record Letter(String jobId, String payload, String reason, String key) {
    }

    /** A DLQ and archive in memory: what was sent, under which key. */
    private static final class RecordingDeadLetters implements DeadLetters {
        final List<Letter> sent = new ArrayList<>();

        @Override
        public synchronized String send(String jobId, String payload, String reason) {
            String key = "archive/" + jobId + "/" + sent.size();
            sent.add(new Letter(jobId, payload, reason, key));
            return key;
        }

        @Override
        public String archive(String jobId, String payload, String reason) {
            return send(jobId, payload, reason);
        }

        @Override
        public synchronized String read(String archiveKey) {
            return sent.stream().filter(l -> l.key().equals(archiveKey)).findFirst().orElseThrow().payload();
        }
    }
}
