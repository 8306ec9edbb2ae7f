package dev.mailroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.SendJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client and the intake hold a job's identifiers to one rule each: what the client lets an email
 * carry, the intake accepts, and what the intake refuses, the client refuses as it is built, in the
 * same words.
 */
class IdentifierContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")),
            Set.of("mailroom-attachments"));

    @TempDir
    Path dir;

    static Stream<String> jobIds() {
        return Stream.of("a", "x".repeat(SendJob.MAX_JOB_ID_CHARS), "x".repeat(SendJob.MAX_JOB_ID_CHARS + 1), "",
                "inv:2026/1", "a.b_c@d+e=f-g", "..", "has space", "Prüfung-1", "tab\there", "semi;colon", "new\nline");
    }

    static Stream<String> contentIds() {
        return Stream.of("logo", "part1.abc@example.com", "!#$%&'*+/=?^_`{|}~.@-", "c".repeat(200), "c".repeat(201), "",
                "with space", "<logo>", "lögo", "comma,id");
    }

    static Stream<String> headerNames() {
        return Stream.of("X-Campaign", "List-Unsubscribe-Post", "X!#$%&'*+-.^_`|~9", "", "X Bad", "X:Colon", "X-Ümlaut",
                "X-\u007f", "X-Tab\t");
    }

    @ParameterizedTest
    @MethodSource("jobIds")
    void aJobIdShouldBeAcceptedByTheClientExactlyWhenTheIntakeAcceptsIt(String jobId) {
        IntakeResult intake = INTAKE.accept(job(j -> j.put("jobId", jobId)), "sqs-message-id");

        if (intake instanceof IntakeResult.Rejected rejected) {
            assertThat(rejected.reason()).isEqualTo("jobId: " + SendJob.JOB_ID_RULE);
            assertThatThrownBy(() -> Email.from("billing@example.com").jobId(jobId))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(rejected.reason());
        } else {
            assertThat(Email.from("billing@example.com").jobId(jobId).givenJobId()).isEqualTo(jobId);
        }
    }

    @ParameterizedTest
    @MethodSource("contentIds")
    void aContentIdShouldBeAcceptedByTheClientExactlyWhenTheIntakeAcceptsIt(String contentId) throws IOException {
        Path logo = Files.write(dir.resolve("logo.png"), new byte[] {1, 2, 3});
        IntakeResult intake = INTAKE.accept(job(j -> j.put("html", "<img src=\"cid:x\">").putArray("attachments")
                .addObject().put("filename", "logo.png").put("contentType", "image/png").put("disposition", "inline")
                .put("contentId", contentId).put("content", "AQID")), "sqs-message-id");

        if (intake instanceof IntakeResult.Rejected rejected) {
            assertThat(rejected.reason()).isEqualTo("attachments[0].contentId: " + Attachment.CONTENT_ID_RULE);
            assertThatThrownBy(() -> Email.from("billing@example.com").inline(contentId, logo))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith(Attachment.CONTENT_ID_RULE);
        } else {
            assertThat(Email.from("billing@example.com").inline(contentId, logo).parts())
                    .singleElement().satisfies(part -> assertThat(part.contentId()).isEqualTo(contentId));
        }
    }

    @ParameterizedTest
    @MethodSource("headerNames")
    void aCustomHeaderNameShouldBeAcceptedByTheClientExactlyWhenTheIntakeAcceptsIt(String name) {
        IntakeResult intake = INTAKE.accept(job(j -> j.putObject("headers").put(name, "v")), "sqs-message-id");

        if (intake instanceof IntakeResult.Rejected rejected) {
            assertThat(rejected.reason()).startsWith("headers." + name.replace('\t', '?').replace('\u007f', '?') + ": ");
            assertThatThrownBy(() -> Email.from("billing@example.com").header(name, "v"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("header: '" + name + "' is not a valid header name");
        } else {
            assertThat(Email.from("billing@example.com").header(name, "v").headerFields()).containsEntry(name, "v");
        }
    }

    private static String job(Consumer<ObjectNode> fields) {
        ObjectNode job = JSON.createObjectNode().put("version", SendJob.VERSION).put("from", "billing@example.com")
                .put("subject", "Hi").put("text", "hello");
        job.putArray("to").add("ann@example.org");
        fields.accept(job);
        return job.toString();
    }
}
