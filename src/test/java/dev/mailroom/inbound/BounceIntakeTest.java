package dev.mailroom.inbound;

import dev.mailroom.events.EventId;
import dev.mailroom.testing.PublishedEvents;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.BounceConfig;
import dev.mailroom.handler.BounceHandler;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestKeys;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.wiring.BounceWiring;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Bounce intake against real servers: a job delivered through the pipeline (dynalite, SmtpTestServer)
 * with VERP return paths, then a real report from the corpus — its addresses rewritten to that job's —
 * stored in S3 (S3Proxy) as SES receiving stores it, and the bounce function run on the S3 event.
 */
class BounceIntakeTest {

    private static final String BOUNCE_DOMAIN = "bounces." + PipelineHarness.SENDER_DOMAIN;

    private final AwsTestStack stack = AwsTestStack.shared();
    private OneMxPipeline world;
    private DynamoDbSuppressionList list;
    private String inbound;
    private BounceHandler handler;
    private final List<String> logs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        String table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        list = new DynamoDbSuppressionList(stack.dynamo(), table);
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_BOUNCE_DOMAIN", BOUNCE_DOMAIN,
                "MAILROOM_SUPPRESSION_TABLE", table));
        inbound = stack.uniqueName("inbound");
        stack.s3().createBucket(b -> b.bucket(inbound));
        PipelineHarness pipeline = world.pipeline();
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_TABLE", pipeline.table);
        env.put("MAILROOM_DLQ_URL", pipeline.deadLetterQueueUrl);
        env.put("MAILROOM_ARCHIVE_BUCKET", pipeline.archiveBucket);
        env.put("MAILROOM_SUPPRESSION_TABLE", table);
        env.put("MAILROOM_BOUNCE_DOMAIN", BOUNCE_DOMAIN);
        env.put("MAILROOM_KEYS", TestKeys.document(PipelineHarness.SENDER_DOMAIN));
        env.put("MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString());
        env.put("MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString());
        env.put("MAILROOM_EVENTS_QUEUE_URL", pipeline.eventsQueueUrl);
        BounceConfig config = BounceConfig.from(env);
        BounceWiring wiring = new BounceWiring(config, AwsClients.create(config.store().endpoints(),
                config.store().region()), new JsonLines(logs::add), Clock.systemUTC());
        handler = new BounceHandler(wiring.step());
    }

    @AfterEach
    void stop() {
        world.close();
    }

    @Test
    void aRealBounceFromTheCorpusForADeliveredMessageShouldTurnThatRecipientBouncedAndSuppressIt() throws IOException {
        // Given: a job delivered to ann and bob, each from their own return path
        String verp = deliver("bounce-1", "ann@example.org", "bob@example.org").get("ann@example.org");
        // And: Postfix's DSN (5.1.1, user unknown), as it would have come back for ann
        byte[] bounce = corpus("lhost-postfix-01.eml", Map.of("shironeko@mx.example.jp", verp,
                "kijitora@example.org", "ann@example.org"));

        // When: SES receiving stores it and the bounce function runs on the S3 event
        handle(bounce, "inbound/bounce-1");

        // Then: ann is BOUNCED with the report's status, bob still DELIVERED, the job unchanged
        var job = world.pipeline().job("bounce-1");
        RecipientRecord ann = job.recipients().get("ann@example.org");
        assertThat(ann.status()).isEqualTo(RecipientStatus.BOUNCED);
        assertThat(ann.enhancedCode()).isEqualTo("5.1.1");
        assertThat(job.recipients().get("bob@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(job.status()).isEqualTo(JobStatus.DELIVERED);
        // And: ann is on the suppression list, globally, reason BOUNCE, the stored message its source
        Map<String, Suppression> found = list.find(List.of("ann@example.org", "bob@example.org"), Optional.empty(),
                Instant.now());
        assertThat(found).containsOnlyKeys("ann@example.org");
        assertThat(found.get("ann@example.org").reason()).isEqualTo(SuppressionReason.BOUNCE);
        assertThat(found.get("ann@example.org").scope()).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(found.get("ann@example.org").source()).isEqualTo("s3://" + inbound + "/inbound/bounce-1");
        // And: a Bounce event for ann, in SES's shape, about the job's message, once the ledger holds it
        PublishedEvents.Event event = onlyEvent("Bounce");
        assertThat(event.eventId()).isEqualTo(EventId.of("bounce-1", "ann@example.org", "BOUNCED", ann.attempts()));
        assertThat(event.recipient()).isEqualTo("ann@example.org");
        assertThat(event.json().at("/bounce/bounceType").asText()).isEqualTo("Permanent");
        assertThat(event.json().at("/bounce/bouncedRecipients/0/status").asText()).isEqualTo("5.1.1");
        assertThat(event.json().at("/mail/messageId").asText()).isEqualTo(job.messageId().replaceAll("[<>]", ""));
        assertThat(event.json().at("/mail/destination").toString()).contains("bob@example.org");
        assertThat(job.outbox()).isEmpty();
    }

    /** The send's events taken away first: the one event of {@code type} intake published. */
    private PublishedEvents.Event onlyEvent(String type) {
        List<PublishedEvents.Event> events = world.pipeline().takeEvents().stream()
                .filter(e -> !e.eventType().equals("Send") && !e.eventType().equals("Delivery")).toList();
        assertThat(events).extracting(PublishedEvents.Event::eventType).containsExactly(type);
        return events.get(0);
    }

    @Test
    void theSameBounceSeenTwiceShouldChangeNothingMore() throws IOException {
        String verp = deliver("bounce-2", "ann@example.org").get("ann@example.org");
        byte[] bounce = corpus("lhost-postfix-01.eml", Map.of("shironeko@mx.example.jp", verp,
                "kijitora@example.org", "ann@example.org"));
        handle(bounce, "inbound/bounce-2");
        Instant first = world.pipeline().job("bounce-2").recipients().get("ann@example.org").at();

        handle(bounce, "inbound/bounce-2");

        assertThat(world.pipeline().job("bounce-2").recipients().get("ann@example.org").at()).isEqualTo(first);
        assertThat(logs()).anyMatch(line -> line.contains("bounce.unchanged"));
        onlyEvent("Bounce"); // one event, though the report came twice
    }

    @Test
    void anArfReportShouldTurnTheRecipientComplainedAndSuppressIt() throws IOException {
        // Given: Yahoo's feedback loop report, its original's envelope sender ann's return path
        String verp = deliver("complaint-1", "ann@example.org").get("ann@example.org");
        byte[] report = corpus("arf-02.eml", Map.of("shironeko@example.com", verp,
                "this-local-part-does-not-exist-on-yahoo@yahoo.com", "ann@example.org"));

        // When
        handle(report, "inbound/complaint-1");

        // Then
        assertThat(world.pipeline().job("complaint-1").recipients().get("ann@example.org").status())
                .isEqualTo(RecipientStatus.COMPLAINED);
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), Instant.now()).get("ann@example.org").reason())
                .isEqualTo(SuppressionReason.COMPLAINT);
        PublishedEvents.Event event = onlyEvent("Complaint");
        assertThat(event.recipient()).isEqualTo("ann@example.org");
        assertThat(event.json().at("/complaint/complaintFeedbackType").asText()).isEqualTo("abuse");
    }

    @Test
    void aTamperedReturnPathShouldMatchNothingAndChangeNothing() throws IOException {
        String verp = deliver("bounce-3", "ann@example.org").get("ann@example.org");
        String tampered = verp.replace(".bounce-3@", ".bounce-4@");
        byte[] bounce = corpus("lhost-postfix-01.eml", Map.of("shironeko@mx.example.jp", tampered,
                "kijitora@example.org", "ann@example.org"));

        handle(bounce, "inbound/bounce-3");

        assertThat(world.pipeline().job("bounce-3").recipients().get("ann@example.org").status())
                .isEqualTo(RecipientStatus.DELIVERED);
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), Instant.now())).isEmpty();
    }

    @Test
    void anAutoReplyShouldChangeNothing() throws IOException {
        String verp = deliver("vacation-1", "ann@example.org").get("ann@example.org");
        String autoReply = "From: ann@example.org\r\nTo: " + verp + "\r\nSubject: Out of office\r\n"
                + "Auto-Submitted: auto-replied\r\nMessage-ID: <v1@example.org>\r\n\r\nI am away until Monday.\r\n";

        handle(autoReply.getBytes(StandardCharsets.US_ASCII), "inbound/vacation-1");

        assertThat(world.pipeline().job("vacation-1").recipients().get("ann@example.org").status())
                .isEqualTo(RecipientStatus.DELIVERED);
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), Instant.now())).isEmpty();
    }

    /** Delivers a job to {@code recipients}; each recipient's return path, as the server received it. */
    private Map<String, String> deliver(String jobId, String... recipients) {
        world.pipeline().enqueue("{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"billing@"
                + PipelineHarness.SENDER_DOMAIN + "\",\"to\":" + toJson(recipients) + ",\"subject\":\"Invoice\",\"text\":\"hi\"}");
        world.pipeline().drain();
        assertThat(world.pipeline().job(jobId).status()).isEqualTo(JobStatus.DELIVERED);
        Map<String, String> paths = new HashMap<>();
        world.mx().received().forEach(m -> paths.put(m.recipients().get(0), m.envelopeFrom()));
        return paths;
    }

    private static String toJson(String[] recipients) {
        return "[\"" + String.join("\",\"", recipients) + "\"]";
    }

    private void handle(byte[] message, String key) {
        stack.s3().putObject(b -> b.bucket(inbound).key(key), RequestBody.fromBytes(message));
        String json;
        try (InputStream in = BounceIntakeTest.class.getResourceAsStream("/events/ses-inbound-s3-event.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"mailroom-inbound\"", "\"" + inbound + "\"")
                    .replace("inbound/o9ce6bdj0vbdc3pvtdhjk3r6ad2ke5ocrmhgkmo1", key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        S3Event event = LambdaEventSerializers.serializerFor(S3Event.class, BounceIntakeTest.class.getClassLoader())
                .fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        handler.handleRequest(event, null);
    }

    private List<String> logs() {
        return logs;
    }

    private static byte[] corpus(String name, Map<String, String> rewrites) throws IOException {
        try (InputStream in = BounceIntakeTest.class.getResourceAsStream("/corpus/bounces/" + name)) {
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            for (Map.Entry<String, String> rewrite : rewrites.entrySet()) {
                text = text.replace(rewrite.getKey(), rewrite.getValue());
            }
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
