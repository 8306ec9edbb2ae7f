package dev.mailroom.handler;

import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.testing.PublishedEvents;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.config.UnsubscribeConfig;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.FunctionUrlServer;
import dev.mailroom.testing.OneMxPipeline;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.TestKeys;
import dev.mailroom.testing.TestPki;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.wiring.UnsubscribeWiring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop closed: a job sent through the pipeline carries Mailroom's List-Unsubscribe URL (the local
 * function URL, as MAILROOM_UNSUBSCRIBE_URL); the recipient's mail client POSTs it as RFC 8058 says;
 * the next job to that recipient is not sent.
 */
@Timeout(120)
class UnsubscribeEndToEndTest {

    private static final Pattern HTTPS_LINK = Pattern.compile("<(https://[^>]+)>");
    private final TestPki pki = TestPki.create();
    private FunctionUrlServer endpoint;
    private OneMxPipeline world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void aOneClickPostOfTheReceivedLinkShouldSuppressTheRecipientForTheNextJob() throws Exception {
        // Given: the endpoint function and the send function sharing the key document and the list
        AwsTestStack stack = AwsTestStack.shared();
        String table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        // ... and the ledger and the events queue (the Subscription event is kept in the job's item)
        String ledger = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), ledger, Duration.ofSeconds(30));
        String events = stack.createQueue(stack.uniqueName("events"));
        UnsubscribeConfig config = UnsubscribeConfig.from(Map.of("MAILROOM_SUPPRESSION_TABLE", table,
                "MAILROOM_KEYS", TestKeys.document(PipelineHarness.SENDER_DOMAIN),
                "MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString(),
                "MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString(),
                "MAILROOM_TABLE", ledger, "MAILROOM_EVENTS_QUEUE_URL", events));
        endpoint = FunctionUrlServer.start(pki, new UnsubscribeHandler(new UnsubscribeWiring(config,
                AwsClients.create(config.endpoints(), config.region()), new JsonLines(line -> { }), Clock.systemUTC())
                .endpoint()));
        world = OneMxPipeline.start(server -> server, Map.of("MAILROOM_SUPPRESSION_TABLE", table,
                "MAILROOM_UNSUBSCRIBE_URL", endpoint.url() + "u/{token}", "MAILROOM_TABLE", ledger,
                "MAILROOM_EVENTS_QUEUE_URL", events));
        PipelineHarness pipeline = world.pipeline();
        pipeline.enqueue(PipelineHarness.job("e2e-first", "ann@example.org", "\"unsubscribe\":{}"));
        pipeline.drain();
        assertThat(pipeline.job("e2e-first").status()).isEqualTo(JobStatus.DELIVERED);

        // When: the mail client takes the https link of List-Unsubscribe and POSTs the one-click body
        String field = world.mx().received().get(0).header("List-Unsubscribe").orElseThrow()
                .replaceAll("\r?\n[ \t]+", " ");
        Matcher link = HTTPS_LINK.matcher(field);
        assertThat(link.find()).as(field).isTrue();
        HttpClient http = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
        int status = http.send(HttpRequest.newBuilder(URI.create(link.group(1)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), BodyHandlers.discarding())
                .statusCode();

        // Then: a Subscription event about the first job's message, once the list holds the entry
        assertThat(status).isEqualTo(200);
        List<PublishedEvents.Event> published = PublishedEvents.take(stack.sqs(), events);
        assertThat(published).extracting(PublishedEvents.Event::eventType)
                .containsExactlyInAnyOrder("Send", "Delivery", "Subscription");
        PublishedEvents.Event subscription = published.stream().filter(e -> e.eventType().equals("Subscription"))
                .findFirst().orElseThrow();
        assertThat(subscription.jobId()).isEqualTo("e2e-first");
        assertThat(subscription.json().at("/subscription/newTopicPreferences/unsubscribeAll").asBoolean()).isTrue();
        assertThat(subscription.json().at("/subscription/source").asText()).isEqualTo("UnsubscribeHeader");
        assertThat(pipeline.job("e2e-first").outbox()).isEmpty();

        // And: the next job to ann is not sent
        pipeline.enqueue(PipelineHarness.job("e2e-second", "ann@example.org", null));
        pipeline.drain();
        RecipientRecord ann = pipeline.job("e2e-second").recipient("ann@example.org");
        assertThat(ann.status()).isEqualTo(RecipientStatus.SUPPRESSED);
        assertThat(ann.suppression().reason()).isEqualTo(SuppressionReason.UNSUBSCRIBE);
        assertThat(ann.suppression().source()).isEqualTo("e2e-first");
        assertThat(world.mx().received()).hasSize(1);
    }
}
