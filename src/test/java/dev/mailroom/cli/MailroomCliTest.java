package dev.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.ledger.AttemptResult;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.ledger.PayloadFingerprint;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.retry.SqsS3DeadLetters;
import dev.mailroom.testing.AwsTestStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.sqs.model.Message;

/** The CLI end to end on the emulators, configured through an injected environment as in a shell. */
class MailroomCliTest {

    /** The payload the jobs of this test were claimed for. */
    private static final PayloadFingerprint PAYLOAD = PayloadFingerprint.of("{\"version\":1}");

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path dir;

    private AwsTestStack stack;
    private String queueUrl;
    private String bucket;
    private String table;
    private DynamoDbLedger ledger;
    private Map<String, String> environment;

    /** What one run printed and returned. */
    private record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @BeforeEach
    void freshDeployment() {
        stack = AwsTestStack.shared();
        queueUrl = stack.createQueue(stack.uniqueName("send"));
        bucket = stack.uniqueName("attachments");
        stack.s3().createBucket(b -> b.bucket(bucket));
        table = stack.uniqueName("ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        ledger = new DynamoDbLedger(stack.dynamo(), table, Duration.ofDays(30));
        environment = new HashMap<>(Map.of(
                "MAILROOM_QUEUE_URL", queueUrl,
                "MAILROOM_TABLE", table,
                "MAILROOM_ATTACHMENT_BUCKETS", bucket + ",other-bucket",
                "MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString(),
                "MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString(),
                "MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString(),
                "AWS_REGION", "us-east-1"));
    }

    @Test
    void sendShouldPrintTheJobIdAndPutAnAcceptableJobOnTheQueue() throws IOException {
        Path html = Files.writeString(dir.resolve("body.html"), "<p>Your invoice</p>");
        Path pdf = Files.write(dir.resolve("invoice.pdf"), new byte[] {'%', 'P', 'D', 'F'});

        Run run = run("send", "--from", "Billing <billing@example.com>", "--to", "ann@example.org", "--to",
                "Bob <bob@example.net>", "--subject", "Invoice", "--text", "See attached.", "--html-file", html.toString(),
                "--attach", pdf.toString(), "--header", "List-Unsubscribe=<https://example.com/u/1>", "--job-id", "inv-9");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("inv-9" + System.lineSeparator());
        IntakeResult.Accepted accepted = accept(receiveOne(queueUrl));
        assertThat(accepted.jobId()).isEqualTo("inv-9");
        assertThat(accepted.job().to()).containsExactly("ann@example.org", "Bob <bob@example.net>");
        assertThat(accepted.job().html()).isEqualTo("<p>Your invoice</p>");
        assertThat(accepted.job().headers()).containsEntry("List-Unsubscribe", "<https://example.com/u/1>");
        assertThat(accepted.job().attachments()).singleElement()
                .satisfies(a -> assertThat(a.filename()).isEqualTo("invoice.pdf"));
    }

    @Test
    void sendShouldUploadEvenASmallAttachmentWhenTheDeploymentTakesNoInlineContent() throws IOException {
        environment.put("MAILROOM_MAX_INLINE_BYTES", "0");
        Path pdf = Files.write(dir.resolve("invoice.pdf"), new byte[] {'%', 'P', 'D', 'F'});

        Run run = run("send", "--from", "billing@example.com", "--to", "ann@example.org", "--text", "hi",
                "--attach", pdf.toString(), "--job-id", "inv-12");

        assertThat(run.exitCode()).isZero();
        String key = accept(receiveOne(queueUrl)).job().attachments().get(0).s3().key();
        assertThat(key).matches("attachments/inv-12/[0-9a-f-]{36}/1-invoice\\.pdf");
        assertThat(stack.s3().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray())
                .isEqualTo(Files.readAllBytes(pdf));
    }

    @Test
    void sendShouldNameAMissingHtmlFileInOneLine() {
        Path missing = dir.resolve("missing.html");

        Run run = run("send", "--from", "billing@example.com", "--to", "ann@example.org", "--html-file", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("mailroom: --html-file: no readable file at " + missing);
    }

    @Test
    void optionsShouldOverrideTheEnvironment() {
        String otherQueue = stack.createQueue(stack.uniqueName("other"));

        Run run = run("send", "--queue-url", otherQueue, "--from", "billing@example.com", "--to", "ann@example.org",
                "--text", "hi");

        assertThat(run.exitCode()).isZero();
        assertThat(receiveOne(otherQueue).body()).contains("\"jobId\":\"" + run.out().strip() + "\"");
    }

    @Test
    void sendShouldNameTheMissingQueueVariableInOneLine() {
        environment.remove("MAILROOM_QUEUE_URL");

        Run run = run("send", "--from", "billing@example.com", "--to", "ann@example.org", "--text", "hi");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly("mailroom: MAILROOM_QUEUE_URL is not set (or pass --queue-url)");
    }

    @Test
    void anEndpointThatIsNotAUrlShouldBeNamedInOneLine() {
        environment.put("MAILROOM_S3_ENDPOINT", "localhost:9000");

        Run fromEnvironment = run("status", "inv-1");
        Run fromOption = run("status", "--endpoint", "localhost:4566", "inv-1");

        assertThat(fromEnvironment.exitCode()).isEqualTo(1);
        assertThat(fromEnvironment.errLines()).containsExactly(
                "mailroom: MAILROOM_S3_ENDPOINT must be a URL such as http://127.0.0.1:4566, was 'localhost:9000'");
        assertThat(fromOption.errLines()).containsExactly(
                "mailroom: --endpoint must be a URL such as http://127.0.0.1:4566, was 'localhost:4566'");
    }

    @Test
    void sendShouldReportAnInvalidEmailInOneLine() {
        Run run = run("send", "--from", "billing@example.com", "--text", "hi");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("mailroom: email: at least one recipient is required in to, cc or bcc");
    }

    @Test
    void aUsageErrorShouldExitWithTwoAndOneLine() {
        Run run = run("send", "--to", "ann@example.org", "--text", "hi");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "mailroom: Missing required option: '--from=ADDRESS' (see 'mailroom send --help')");
    }

    @Test
    void statusShouldPrintTheJobThenOneLinePerRecipient() throws IOException {
        deferredJob("inv-10");

        Run table = run("status", "inv-10");
        Run json = run("status", "--json", "inv-10");

        assertThat(table.exitCode()).isZero();
        assertThat(table.out().lines()).contains(
                "status        DEFERRED",
                "attempts      1",
                "next attempt  2026-11-28T12:05:00Z",
                "RECIPIENT        STATUS     CODE  ENHANCED  ATTEMPTS  MX HOST         DKIM                       REPLY",
                "ann@example.org  DELIVERED  250   2.0.0     1         mx.example.org  s1._domainkey.example.com  queued as 1",
                "bob@example.net  DEFERRED   451   4.3.0     1         mx.example.net  -                          try later");
        JsonNode status = new ObjectMapper().readTree(json.out());
        assertThat(status.path("status").asText()).isEqualTo("DEFERRED");
        assertThat(status.path("createdAt").asText()).isEqualTo("2026-11-28T12:00:00Z");
        assertThat(status.path("recipients").get(1).path("enhancedCode").asText()).isEqualTo("4.3.0");
    }

    @Test
    void statusOfAnUnknownJobShouldFailWithOneLine() {
        Run run = run("status", "no-such-job");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly("mailroom: no job no-such-job in the ledger");
    }

    @Test
    void deadLetterCommandsShouldListInspectAndRedrive() {
        // Given: a job the service dead-lettered
        String payload = "{\"version\":1,\"jobId\":\"inv-11\",\"from\":\"billing@example.com\",\"to\":[\"ann@example.org\"],\"text\":\"hi\"}";
        String key = new SqsS3DeadLetters(stack.sqs(), stack.createQueue(stack.uniqueName("send-dlq")), stack.s3(), bucket,
                "dead-letters/", Clock.fixed(T0, ZoneOffset.UTC)).send("inv-11", payload, "expired after 12 attempts");
        ledger.claim("inv-11", PAYLOAD, "worker-a", Duration.ofMinutes(15), List.of("ann@example.org"), null, T0);
        ledger.record(new AttemptResult("inv-11", "worker-a", JobStatus.DEAD_LETTERED, null,
                Map.of("ann@example.org", RecipientRecord.pending(T0).expired(T0)), null, "expired after 12 attempts", key, T0));

        // When / Then
        Run list = run("dead-letter", "list");
        assertThat(list.out().lines()).containsExactly(
                String.format("%-20s  %-6s  %-" + key.length() + "s  %s", "ARCHIVED", "JOB", "KEY", "REASON"),
                "2026-11-28T12:00:00Z  inv-11  " + key + "  expired after 12 attempts");
        assertThat(run("dead-letter", "inspect", key).out().strip()).isEqualTo(payload);
        Run redrive = run("dead-letter", "redrive", "inv-11");
        assertThat(redrive.exitCode()).isZero();
        Message message = receiveOne(queueUrl);
        assertThat(redrive.out().strip()).isEqualTo("inv-11 is back on the send queue as message " + message.messageId());
        assertThat(message.messageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE).stringValue()).isEqualTo("inv-11");
    }

    private void deferredJob(String jobId) {
        ledger.claim(jobId, PAYLOAD, "worker-a", Duration.ofMinutes(15), List.of("ann@example.org", "bob@example.net"), null, T0);
        ledger.record(new AttemptResult(jobId, "worker-a", JobStatus.DEFERRED, "<m@example.com>", Map.of(
                "ann@example.org", new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "queued as 1", "mx.example.org", 1, T0,
                        List.of("s1._domainkey.example.com")),
                "bob@example.net", new RecipientRecord(RecipientStatus.DEFERRED, 451, "4.3.0", "try later", "mx.example.net", 1, T0)),
                T0.plusSeconds(300), "bob@example.net: 451 4.3.0 try later", null, T0));
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MailroomCli.commandLine(new MailroomCli(environment));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private IntakeResult.Accepted accept(Message message) {
        IntakeResult result = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of(bucket))
                .accept(message.body(), message.messageId());
        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
        return (IntakeResult.Accepted) result;
    }

    private Message receiveOne(String queue) {
        List<Message> messages = stack.sqs().receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)
                .waitTimeSeconds(1).messageAttributeNames("All")).messages();
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }
}
