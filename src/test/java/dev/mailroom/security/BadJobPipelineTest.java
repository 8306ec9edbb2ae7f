package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.security.BadJobCorpus.Entry;
import dev.mailroom.security.BadJobCorpus.Expected;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestContexts;
import dev.mailroom.worker.SqsPoller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The bad-job corpus through the real pipeline: every entry is put on the send queue together with
 * valid jobs, an SQS event source feeds the batches to the real {@code SendHandler}, and the ledger,
 * the DLQ, the logs and the SMTP server are read afterwards.
 *
 * <p>Entries SQS itself refuses (empty, NUL bytes, over 1 MiB) never reach Mailroom from a queue —
 * the producer gets SQS's error — but a direct invocation or worker mode could still hand them over:
 * they go to the handler in one hand-made Lambda batch, with a valid job beside them.
 *
 * <p>Runs once for the class (the stack starts once per JVM); one dynamic test per corpus entry then
 * reports exactly which entries Mailroom mishandles.
 */
class BadJobPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "TOP-SECRET-OTHER-BUCKET-OBJECT";
    private static final String NOT_MIME_KEY = "corpus/not-mime.eml";
    /** Drained batches are bounded: a crash-looping message must not hold the test for its 20 receives. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);

    private static DnsTestServer dns;
    private static SmtpTestServer mx;
    private static PipelineHarness pipeline;
    private static List<Entry> corpus;
    /** Corpus file → the ledger key of its job (the SQS message id: no corpus job carries a valid id). */
    private static final Map<String, String> idByFile = new LinkedHashMap<>();
    private static final Map<String, String> validBodies = new LinkedHashMap<>();
    private static final List<String> handedDirectly = new ArrayList<>();
    private static SQSBatchResponse directResponse;
    private static RuntimeException directFailure;
    private static Map<String, Message> deadLetterByJobId;

    @BeforeAll
    static void runTheCorpusThroughThePipeline() {
        // Given: an MX for the valid jobs, another bucket holding something that must never leave it
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2")
                .mx("xn--bcher-kva.example", 10, "mx.example.org");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        // Messages that crash the handler stay invisible for the rest of the run instead of looping.
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("TEST_VISIBILITY_TIMEOUT", "300"));
        String otherBucket = pipeline.stack.uniqueName("other");
        pipeline.stack.s3().createBucket(b -> b.bucket(otherBucket));
        pipeline.stack.s3().putObject(b -> b.bucket(otherBucket).key("secret.txt"), RequestBody.fromString(SECRET));
        pipeline.upload("secret.txt", SECRET.getBytes(StandardCharsets.UTF_8));
        pipeline.upload(NOT_MIME_KEY, BadJobCorpus.object("not-mime.eml"));
        corpus = BadJobCorpus.load(pipeline.bucket, otherBucket);

        // When: corpus entries and valid jobs share the queue, so they share batches
        List<Entry> sqsRefused = new ArrayList<>();
        enqueueValid("valid-first", "ann@example.org");
        for (int i = 0; i < corpus.size(); i++) {
            Entry entry = corpus.get(i);
            try {
                idByFile.put(entry.file(), pipeline.enqueue(entry.body()));
            } catch (SqsException refused) {
                sqsRefused.add(entry);
            }
            if (i == corpus.size() / 2) {
                enqueueValid("valid-middle", "Ann <ann@example.org>");
                enqueueValid("valid-quoted", "\\\"john doe\\\"@example.org");
                enqueueValid("valid-idn", "Zoë <zoe@bücher.example>");
            }
        }
        enqueueValid("valid-last", "ann@example.org");
        drain();
        handDirectly(sqsRefused);
        deadLetterByJobId = pipeline.takeDeadLetters().stream().collect(Collectors.toMap(
                m -> m.messageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE).stringValue(), m -> m, (a, b) -> a));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (mx != null) {
            mx.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusEntryShouldEndInTheLedgerAsExpectedTsvSays() {
        return corpus.stream().map(entry -> DynamicTest.dynamicTest(entry.file(), () -> {
            if (entry.outcome() == Expected.REJECTED) {
                assertRejected(entry);
            } else {
                assertFailedAtDelivery(entry);
            }
        }));
    }

    @Test
    void validJobsInTheSameBatchesShouldBeDeliveredOnceEach() {
        for (String jobId : validBodies.keySet()) {
            JobRecord job = pipeline.job(jobId);
            assertThat(job.status()).as("%s: %s", jobId, job.lastError()).isEqualTo(JobStatus.DELIVERED);
            assertThat(mx.received()).as(jobId).filteredOn(m -> job.messageId().equals(messageIdOf(m))).hasSize(1);
        }
    }

    @Test
    void quotedLocalPartsShouldBeAcceptedAndDeliveredAsTheRfc5321QuotedStringTheyAre() {
        // Decision: "john doe"@example.org is a valid RFC 5321 mailbox (Quoted-string local part);
        // Mailroom accepts it and puts it on the envelope quoted, exactly as written.
        JobRecord job = pipeline.job("valid-quoted");

        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(job.recipients()).containsOnlyKeys("\"john doe\"@example.org");
        assertThat(mx.received()).filteredOn(m -> job.messageId().equals(messageIdOf(m)))
                .singleElement().satisfies(m -> assertThat(m.recipients()).containsExactly("\"john doe\"@example.org"));
    }

    @Test
    void internationalisedDomainsShouldGoOnTheEnvelopeInTheirAsciiForm() {
        JobRecord job = pipeline.job("valid-idn");

        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(mx.received()).filteredOn(m -> job.messageId().equals(messageIdOf(m)))
                .singleElement().satisfies(m -> assertThat(m.recipients()).containsExactly("zoe@xn--bcher-kva.example"));
    }

    @Test
    void nothingFromARejectedJobNorFromAnotherBucketShouldReachTheSmtpServer() {
        Map<String, String> senderOf = new HashMap<>();
        validBodies.keySet().forEach(id -> senderOf.put(pipeline.job(id).messageId(), id));
        for (Entry entry : corpus) {
            pipeline.wiring.ledger().find(idByFile.get(entry.file())).map(JobRecord::messageId)
                    .ifPresent(messageId -> senderOf.put(messageId, entry.file() + (entry.outcome() == Expected.REJECTED
                            ? " (must be rejected)" : "")));
        }

        List<String> sent = mx.received().stream()
                .map(m -> senderOf.getOrDefault(messageIdOf(m), "unknown message " + messageIdOf(m))).toList();
        assertThat(sent).as("messages the SMTP server received, by job").noneMatch(s -> s.endsWith("(must be rejected)"))
                .noneMatch(s -> s.startsWith("unknown message"));
        assertThat(mx.received()).allSatisfy(m -> {
            assertThat(m.content()).doesNotContain(SECRET);
            assertThat(m.recipients()).noneMatch(r -> r.contains("evil.test"));
        });
    }

    @Test
    void aBatchHandedToTheHandlerDirectlyShouldBeAcknowledgedWholeWithoutAnException() {
        assertThat(directFailure).as("the handler threw").isNull();
        assertThat(directResponse.getBatchItemFailures())
                .as("records left for a retry (a rejected job is final): %s", handedDirectly)
                .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier).isEmpty();
        assertThat(pipeline.job("valid-direct").status()).isEqualTo(JobStatus.DELIVERED);
    }

    @Test
    void aRawMessageThatIsNotMimeShouldEndInAFinalStateWithoutAnException() {
        // Whatever Mailroom decides about garbage in S3, the job must not crash or hang in SENDING.
        String id = idByFile.get("raw-not-mime.json");
        JobRecord job = pipeline.job(id);

        assertThat(job.status()).as(job.lastError()).isIn(JobStatus.DELIVERED, JobStatus.FAILED, JobStatus.REJECTED);
        assertThat(jobErrors(id)).isEmpty();
        assertThat(job.leaseOwner()).isNull();
    }

    // ------------------------------------------------------------------------------------------

    private static void assertRejected(Entry entry) {
        String id = idByFile.get(entry.file());
        Optional<JobRecord> record = pipeline.wiring.ledger().find(id);
        String context = entry.file() + " (" + entry.note() + ")" + (handedDirectly.contains(entry.file())
                ? " [handed to the handler directly]" : "") + "; job.error logs: " + jobErrors(id);
        assertThat(record).as("no ledger item: %s", context).isPresent();
        JobRecord job = record.get();
        assertThat(job.status()).as("%s, lastError \"%s\"", context, BadJobCorpus.printable(job.lastError()))
                .isEqualTo(JobStatus.REJECTED);
        assertThat(entry.matches(job.lastError())).as("%s: ledger reason \"%s\", expected %s", context,
                BadJobCorpus.printable(job.lastError()), entry.expectation()).isTrue();
        assertThat(BadJobCorpus.unsafeReason(job.lastError())).as(context).isNull();
        assertThat(jobErrors(id)).as(context).isEmpty();
        assertThat(logEvents(id)).as(context).contains("job.rejected");
        Message copy = deadLetterByJobId.get(id);
        assertThat(copy).as("no DLQ copy: %s", context).isNotNull();
        if (!copy.body().equals(entry.body())) {
            // Too big for SQS beside its attributes: the DLQ copy points at the archive, which must hold it.
            String archiveKey = copy.messageAttributes().get(DeadLetters.ARCHIVE_ATTRIBUTE).stringValue();
            assertThat(pipeline.deadLetters().read(archiveKey)).as("archived payload: %s", context)
                    .isEqualTo(entry.body());
        }
        assertThat(copy.messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue())
                .startsWith("rejected: " + job.lastError().substring(0, Math.min(40, job.lastError().length())));
    }

    private static void assertFailedAtDelivery(Entry entry) {
        String id = idByFile.get(entry.file());
        JobRecord job = pipeline.job(id);
        String context = entry.file() + " (" + entry.note() + "); job.error logs: " + jobErrors(id);
        assertThat(job.status()).as(context).isEqualTo(JobStatus.FAILED);
        assertThat(job.recipients()).as(context).isNotEmpty().allSatisfy((address, recipient) -> {
            assertThat(recipient.status()).as(context).isEqualTo(RecipientStatus.FAILED);
            assertThat(entry.matches(recipient.enhancedCode())).as("%s: %s %s", context, recipient.enhancedCode(),
                    recipient.replyText()).isTrue();
        });
        assertThat(mx.received()).as("%s: sent anyway", context)
                .noneMatch(m -> job.messageId() != null && job.messageId().equals(messageIdOf(m)));
    }

    private static void enqueueValid(String jobId, String to) {
        String body = PipelineHarness.job(jobId, to, "");
        validBodies.put(jobId, body);
        pipeline.enqueue(body);
    }

    /** Like {@code PipelineHarness.drain()}, but bounded, and done once the visible queue stays empty. */
    private static void drain() {
        SqsPoller poller = pipeline.poller();
        Instant deadline = Instant.now().plus(DRAIN_LIMIT);
        int emptyPolls = 0;
        while (emptyPolls < 2 && Instant.now().isBefore(deadline)) {
            emptyPolls = poller.pollOnce(1) == 0 ? emptyPolls + 1 : 0;
        }
    }

    private static void handDirectly(List<Entry> entries) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Entry entry : entries) {
            String messageId = "direct-" + entry.file().replaceAll("[^A-Za-z0-9-]", "-");
            records.add(record(messageId, entry.body()));
            idByFile.put(entry.file(), messageId);
            handedDirectly.add(entry.file());
        }
        String valid = PipelineHarness.job("valid-direct", "ann@example.org", "");
        validBodies.put("valid-direct", valid);
        records.add(records.size() / 2, record("direct-valid", valid));
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        try {
            directResponse = pipeline.handler.handleRequest(event, TestContexts.lambda(Duration.ofMinutes(5)));
        } catch (RuntimeException e) {
            directFailure = e;
        }
    }

    private static SQSEvent.SQSMessage record(String messageId, String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(messageId);
        message.setReceiptHandle("receipt-" + messageId);
        message.setBody(body);
        message.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        message.setMessageAttributes(Map.of());
        message.setEventSource("aws:sqs");
        return message;
    }

    private static List<String> logEvents(String jobId) {
        List<String> events = new ArrayList<>();
        for (String line : pipeline.logs) {
            JsonNode json = parse(line);
            if (json != null && jobId.equals(json.path("jobId").asText(null))) {
                events.add(json.path("event").asText());
            }
        }
        return events;
    }

    private static List<String> jobErrors(String jobId) {
        List<String> errors = new ArrayList<>();
        for (String line : pipeline.logs) {
            JsonNode json = parse(line);
            if (json != null && "job.error".equals(json.path("event").asText()) && jobId.equals(json.path("jobId").asText())) {
                errors.add(json.path("error").asText() + ": " + json.path("message").asText());
            }
        }
        return errors;
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    private static String messageIdOf(SmtpTestServer.ReceivedMessage message) {
        try {
            return message.parse().getMessageID();
        } catch (RuntimeException | jakarta.mail.MessagingException e) {
            return null;
        }
    }
}
