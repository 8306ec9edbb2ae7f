package dev.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.testing.AwsTestStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code bin/mailroom}, the distribution's launcher, run as a shell runs it: over this build's class
 * path ({@code MAILROOM_CLASSPATH}) instead of the distribution's {@code lib/}.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("src", "cli", "bin", "mailroom");

    private AwsTestStack stack;

    @BeforeEach
    void startStack() {
        stack = AwsTestStack.shared();
    }

    @Test
    void helpShouldListEveryCommandAndPrintNothingElse() throws Exception {
        Result help = launch(Map.of(), "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: mailroom");
        assertThat(help.out()).contains("send", "status", "dead-letter", "local", "worker");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void sendShouldPassQuotedArgumentsThroughUntouched() throws Exception {
        // Given
        String queueUrl = stack.createQueue(stack.uniqueName("launcher"));

        // When: a subject with spaces and non-ASCII letters, as a shell passes one quoted argument
        Result send = launch(Map.of("MAILROOM_QUEUE_URL", queueUrl,
                        "MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString()),
                "send", "--from", "Billing <billing@example.com>", "--to", "ann@example.org",
                "--subject", "Hóa đơn tháng 12", "--text", "Xin chào,\nhóa đơn đính kèm.");

        // Then: the job on the queue carries them exactly, and nothing but the job id was printed
        assertThat(send.err()).isEmpty();
        assertThat(send.exitCode()).isZero();
        Message message = stack.sqs().receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(5)).messages().get(0);
        JsonNode job = new ObjectMapper().readTree(message.body());
        assertThat(job.path("subject").asText()).isEqualTo("Hóa đơn tháng 12");
        assertThat(job.path("text").asText()).isEqualTo("Xin chào,\nhóa đơn đính kèm.");
        assertThat(job.path("from").asText()).isEqualTo("Billing <billing@example.com>");
        assertThat(send.out().strip()).isEqualTo(job.path("jobId").asText());
    }

    @Test
    void aSymlinkCalledByARelativePathShouldFindTheDistributionWhateverCdpathSays(@TempDir Path elsewhere)
            throws Exception {
        // Given: a link to the launcher in another directory, and a CDPATH that makes cd talk
        Files.createDirectories(elsewhere.resolve("links"));
        Path link = Files.createSymbolicLink(elsewhere.resolve("links/mailroom"), LAUNCHER.toAbsolutePath());

        // When
        Result help = launch(elsewhere, Map.of("CDPATH", ".:/"), "links/mailroom", "--version");
        Files.delete(link);

        // Then
        assertThat(help.err()).isEmpty();
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("mailroom");
    }

    @Test
    void workerShouldNameTheMissingVariableInOneLine() throws Exception {
        Result worker = launch(Map.of(), "worker");

        assertThat(worker.exitCode()).isEqualTo(1);
        assertThat(worker.err().lines()).containsExactly("mailroom: MAILROOM_ARCHIVE_BUCKET: is required");
    }

    @Test
    void aMistakeShouldBeOneLineOnStderrAndExitCodeTwo() throws Exception {
        Result wrong = launch(Map.of(), "send", "--to");

        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.out()).isEmpty();
        assertThat(wrong.err().lines()).hasSize(1).first().asString().startsWith("mailroom: ");
    }

    private record Result(int exitCode, String out, String err) {}

    private static Result launch(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return launch(Path.of("").toAbsolutePath(), environment, LAUNCHER.toAbsolutePath().toString(), args);
    }

    private static Result launch(Path directory, Map<String, String> environment, String launcher, String... args)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(concat(launcher, args)).directory(directory.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("MAILROOM_"));
        builder.environment().putAll(environment);
        builder.environment().put("MAILROOM_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("AWS_ACCESS_KEY_ID", "local");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        Process process = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not exit within 60 s");
        }
        return new Result(process.exitValue(), out, err.join());
    }

    private static List<String> concat(String first, String... rest) {
        return Stream.concat(Stream.of(first), Stream.of(rest)).toList();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
