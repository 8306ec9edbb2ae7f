package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.client.ClientSettings;
import dev.mailroom.client.MailroomClient;
import dev.mailroom.client.SendStatus;
import dev.mailroom.client.SuppressionEntry;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.JobRecord;
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
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end with a suppression list (MAILROOM_SUPPRESSION_TABLE on dynalite): SQS events through the
 * send function's runner into a real SMTP server. A suppressed recipient is recorded, never sent; a
 * job with nobody left opens no SMTP session; a dead mailbox found at SMTP time goes on the list.
 */
class SuppressionPipelineTest {

    private static final Instant ADDED = Instant.parse("2026-11-28T12:00:00Z");

    private final AwsTestStack stack = AwsTestStack.shared();
    private String table;
    private DynamoDbSuppressionList list;
    private OneMxPipeline world;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @BeforeEach
    void createTheList() {
        table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        list = new DynamoDbSuppressionList(stack.dynamo(), table);
    }

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private void start(SmtpTestServerBuilder server) {
        world = OneMxPipeline.start(server, Map.of("MAILROOM_SUPPRESSION_TABLE", table));
        mx = world.mx();
        pipeline = world.pipeline();
    }

    @Test
    void aJobWhoseRecipientsAreAllSuppressedShouldEndFailedWithoutAnSmtpSession() {
        // Given: ann globally, bob for tenant acme; the job is acme's
        start(SmtpTestServer.builder());
        list.put(new Suppression(SuppressionScope.GLOBAL, "ann@example.org", SuppressionReason.BOUNCE, "job-0", ADDED, null));
        list.put(new Suppression(SuppressionScope.tenant("acme"), "bob@example.org", SuppressionReason.UNSUBSCRIBE,
                "token", ADDED, null));
        pipeline.enqueue(PipelineHarness.job("sup-all", "Ann <Ann@Example.org>",
                "\"cc\":[\"bob@example.org\"],\"tags\":{\"tenant\":\"acme\"}"));

        // When
        pipeline.drain();

        // Then: nothing sent, not even a connection; each recipient says why; no attempt counted
        assertThat(mx.sessionsAccepted()).isZero();
        JobRecord job = pipeline.job("sup-all");
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempts()).isZero();
        RecipientRecord ann = job.recipient("ann@example.org");
        assertThat(ann.status()).isEqualTo(RecipientStatus.SUPPRESSED);
        assertThat(ann.replyCode()).isNull();
        assertThat(ann.attempts()).isZero();
        assertThat(ann.suppression().reason()).isEqualTo(SuppressionReason.BOUNCE);
        assertThat(ann.suppression().scope()).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(ann.suppression().source()).isEqualTo("job-0");
        assertThat(job.recipient("bob@example.org").suppression().scope()).isEqualTo(SuppressionScope.tenant("acme"));
        assertThat(job.lastError()).contains("on the suppression list").doesNotContain("null");
        assertThat(pipeline.logs).anyMatch(line -> line.contains("\"event\":\"recipient.suppressed\""));
    }

    @Test
    void aMixedJobShouldSendOnlyToTheRecipientsNotSuppressed() {
        // Given: ann suppressed, bob not
        start(SmtpTestServer.builder());
        list.put(new Suppression(SuppressionScope.GLOBAL, "ann@example.org", SuppressionReason.COMPLAINT, "arf", ADDED, null));
        pipeline.enqueue(PipelineHarness.job("sup-mixed", "ann@example.org", "\"cc\":[\"bob@example.org\"]"));

        // When
        pipeline.drain();

        // Then: one message, to bob only; the job PARTIAL
        assertThat(mx.received()).hasSize(1);
        assertThat(mx.received().get(0).recipients()).containsExactly("bob@example.org");
        JobRecord job = pipeline.job("sup-mixed");
        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.recipient("ann@example.org").status()).isEqualTo(RecipientStatus.SUPPRESSED);
        assertThat(job.recipient("bob@example.org").status()).isEqualTo(RecipientStatus.DELIVERED);
    }

    @Test
    void anotherTenantsEntryShouldNotSuppressARecipient() {
        // Given: ann suppressed for acme only; the job is globex's
        start(SmtpTestServer.builder());
        list.put(new Suppression(SuppressionScope.tenant("acme"), "ann@example.org", SuppressionReason.MANUAL, "ops",
                ADDED, null));
        pipeline.enqueue(PipelineHarness.job("sup-other", "ann@example.org", "\"tags\":{\"tenant\":\"globex\"}"));

        // When
        pipeline.drain();

        // Then
        assertThat(pipeline.job("sup-other").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(mx.received()).hasSize(1);
    }

    @Test
    void aNoSuchUserAtSmtpTimeShouldSuppressTheAddressForTheNextJob() {
        // Given: the server knows no ann (5.1.1) and refuses carl by policy (5.7.1)
        start(SmtpTestServer.builder().rejectRecipient("ann@example.org", 550, "5.1.1 no such user")
                .rejectRecipient("carl@example.org", 550, "5.7.1 rejected by policy"));
        pipeline.enqueue(PipelineHarness.job("sup-bounce", "ann@example.org", "\"cc\":[\"carl@example.org\"]"));
        pipeline.drain();

        // When: another job to ann
        int sessions = mx.sessionsAccepted();
        pipeline.enqueue(PipelineHarness.job("sup-after", "ann@example.org", ""));
        pipeline.drain();

        // Then: ann is on the list (BOUNCE, global, the job's id as source), carl is not; the next job opened no session
        assertThat(pipeline.job("sup-bounce").recipient("ann@example.org").status()).isEqualTo(RecipientStatus.FAILED);
        Map<String, Suppression> found = list.find(List.of("ann@example.org", "carl@example.org"), Optional.empty(),
                Instant.now());
        assertThat(found).containsOnlyKeys("ann@example.org");
        assertThat(found.get("ann@example.org").reason()).isEqualTo(SuppressionReason.BOUNCE);
        assertThat(found.get("ann@example.org").scope()).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(found.get("ann@example.org").source()).isEqualTo("sup-bounce");
        assertThat(pipeline.job("sup-after").recipient("ann@example.org").status()).isEqualTo(RecipientStatus.SUPPRESSED);
        assertThat(mx.sessionsAccepted()).isEqualTo(sessions);
    }

    @Test
    void theClientShouldSuppressInTheNormalFormAndShowSuppressedRecipients() {
        // Given: an operator suppresses a mixed-case spelling through the client, for tenant acme
        start(SmtpTestServer.builder());
        MailroomClient client = new MailroomClient(stack.sqs(), stack.s3(), stack.dynamo(),
                ClientSettings.of(pipeline.queueUrl, pipeline.bucket, pipeline.table).withSuppressionTable(table),
                Clock.fixed(ADDED, java.time.ZoneOffset.UTC));
        SuppressionEntry stored = client.suppress(SuppressionEntry.of("Ann <ANN@Example.ORG>", "ticket 7").forTenant("acme"));
        pipeline.enqueue(PipelineHarness.job("sup-client", "ann@example.org", "\"tags\":{\"tenant\":\"acme\"}"));

        // When
        pipeline.drain();

        // Then
        assertThat(stored.address()).isEqualTo("ann@example.org");
        assertThat(stored.addedAt()).isEqualTo(ADDED);
        assertThat(client.isSuppressed("ann@example.org", "acme")).isTrue();
        assertThat(client.isSuppressed("ann@example.org", null)).isFalse();
        SendStatus.Recipient ann = client.status("sup-client").orElseThrow().recipients().get(0);
        assertThat(ann.status()).isEqualTo(SendStatus.RecipientState.SUPPRESSED);
        assertThat(ann.suppressedBy().reason()).isEqualTo(SuppressionEntry.Reason.MANUAL);
        assertThat(ann.suppressedBy().tenant()).isEqualTo("acme");
        assertThat(client.suppressions()).extracting(SuppressionEntry::source).containsExactly("ticket 7");
        assertThat(client.unsuppress("ann@example.org", "acme")).isTrue();
        assertThat(client.suppressions()).isEmpty();
    }
}
