package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.deliver.Diagnosis;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Remote SMTP replies are untrusted input. A server answering RCPT with control characters, ANSI
 * escape sequences, C1 controls, a forged JSON fragment or 5,000 characters must leave the ledger's
 * reply text and the log lines capped at {@link Diagnosis#MAX_TEXT_LENGTH} characters, free of
 * control characters, and the logs one well-formed JSON object per line.
 *
 * <p>SubEthaSMTP writes reply text as UTF-8 and would split a CR/LF into a second, code-less line
 * that desynchronises the session, so CR/LF is not scripted here: what is tested is what arrives.
 */
class UntrustedReplyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> REPLIES = Map.of(
            "ansi@example.org", "5.1.1 \u001b[31mRED\u001b[0m \u001b]0;retitled\u0007 bell\u0007 del\u007f nul\u0000 end",
            "c1@example.org", "5.1.1 csi\u009b31m nel\u0085 rtl\u202e ls\u2028 end",
            "long@example.org", "5.1.1 " + "Z".repeat(5_000),
            "json@example.org", "5.1.1 \"},{\"event\":\"forged\",\"jobId\":\"other\",\"x\":\"");

    private static DnsTestServer dns;
    private static SmtpTestServer mx;
    private static PipelineHarness pipeline;

    @BeforeAll
    static void aServerAnswersEveryRecipientWithHostileText() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        SmtpTestServerBuilder server = SmtpTestServer.builder().bind("127.0.0.2");
        REPLIES.forEach((address, text) -> server.rejectRecipient(address, 550, text));
        mx = server.start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of());
        pipeline.enqueue(PipelineHarness.job("hostile-replies", "ansi@example.org",
                "\"cc\":[\"c1@example.org\",\"long@example.org\",\"json@example.org\"]"));
        pipeline.drain();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
        mx.close();
        dns.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ansi@example.org", "c1@example.org", "long@example.org", "json@example.org"})
    void theLedgerShouldKeepTheReplyCappedAndFreeOfControlCharacters(String address) {
        RecipientRecord recipient = pipeline.job("hostile-replies").recipient(address);

        assertThat(recipient.status()).isEqualTo(RecipientStatus.FAILED);
        assertThat(recipient.replyCode()).isEqualTo(550);
        assertThat(recipient.enhancedCode()).isEqualTo("5.1.1");
        assertClean(recipient.replyText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ansi@example.org", "c1@example.org", "long@example.org", "json@example.org"})
    void theRecipientLogLineShouldKeepTheReplyCappedAndFreeOfControlCharacters(String address) {
        JsonNode line = lines().stream().filter(l -> "recipient.outcome".equals(l.path("event").asText()))
                .filter(l -> address.equals(l.path("recipient").asText())).findFirst().orElseThrow();

        assertClean(line.path("reply").asText());
    }

    @Test
    void theJobShouldFailWithACappedLastErrorAndLogsShouldStayOneObjectPerLine() {
        JobRecord job = pipeline.job("hostile-replies");

        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.lastError()).hasSizeLessThanOrEqualTo(Diagnosis.MAX_TEXT_LENGTH + 100);
        assertThat(BadJobCorpus.unsafeReason(job.lastError())).isNull();
        assertThat(lines()).hasSize(pipeline.logs.size())
                .noneMatch(l -> "forged".equals(l.path("event").asText()))
                .allSatisfy(l -> assertThat(l.path("jobId").asText()).isIn("hostile-replies", ""));
        assertThat(lines()).filteredOn(l -> "job.attempt".equals(l.path("event").asText()))
                .allSatisfy(l -> assertThat(BadJobCorpus.unsafeReason(l.path("detail").asText(""))).isNull());
    }

    @Test
    void aLongReplyShouldKeepItsBeginning() {
        assertThat(pipeline.job("hostile-replies").recipient("long@example.org").replyText())
                .hasSize(Diagnosis.MAX_TEXT_LENGTH).matches("Z+");
    }

    private static void assertClean(String text) {
        assertThat(text).hasSizeLessThanOrEqualTo(Diagnosis.MAX_TEXT_LENGTH);
        List<String> controls = new ArrayList<>();
        text.codePoints().filter(Character::isISOControl).forEach(c -> controls.add(String.format("U+%04X", c)));
        assertThat(controls).as("control characters in \"%s\"", BadJobCorpus.printable(text)).isEmpty();
        assertThat(text).doesNotContain("\u001b");
    }

    private static List<JsonNode> lines() {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : pipeline.logs) {
            try {
                JsonNode json = JSON.readTree(line);
                if (json != null && json.isObject()) {
                    parsed.add(json);
                }
            } catch (java.io.IOException e) {
                // not JSON: the size check in the test above reports it
            }
        }
        return parsed;
    }
}
