package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.security.BadJobCorpus.Entry;
import dev.mailroom.security.BadJobCorpus.Expected;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-job corpus against intake alone, configured as {@code PipelineHarness} configures
 * Mailroom: every entry is refused with the reason {@code expected.tsv} gives, in a form that is
 * safe to store and log, and nothing throws. (The same corpus goes through the whole pipeline in
 * {@link BadJobPipelineTest}.)
 */
class BadJobIntakeTest {

    static final String BUCKET = "mailroom-attachments";
    static final String OTHER_BUCKET = "someone-elses-bucket";

    private final JobIntake intake = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("mailroom.test")),
            Set.of(BUCKET));

    static List<Entry> corpus() {
        return BadJobCorpus.load(BUCKET, OTHER_BUCKET);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void acceptShouldAnswerEveryCorpusEntryAsExpectedTsvSays(Entry entry) {
        // When
        IntakeResult result = intake.accept(entry.body(), "sqs-message-id");

        // Then
        if (entry.outcome() == Expected.FAILED) {
            // Decided at delivery, where the S3 object is read: intake cannot know yet.
            assertThat(result).as(entry.note()).isInstanceOf(IntakeResult.Accepted.class);
            return;
        }
        if (result instanceof IntakeResult.Accepted) {
            fail("%s (%s): accepted, expected a rejection %s", entry.file(), entry.note(), entry.expectation());
        }
        String reason = ((IntakeResult.Rejected) result).reason();
        assertThat(entry.matches(reason))
                .as("%s (%s): reason was \"%s\", expected %s", entry.file(), entry.note(),
                        BadJobCorpus.printable(reason), entry.expectation())
                .isTrue();
        assertThat(BadJobCorpus.unsafeReason(reason))
                .as("%s: reason \"%s\"", entry.file(), BadJobCorpus.printable(reason)).isNull();
        assertThat(result.jobId()).as("a rejected job keeps the SQS message id or its own valid id")
                .isEqualTo("sqs-message-id");
    }

    @Test
    void corpusShouldListEveryFileItHoldsAndHoldEveryFileItLists() {
        List<String> listed = corpus().stream().map(Entry::file).sorted().toList();

        assertThat(BadJobCorpus.files()).containsExactlyElementsOf(listed);
        assertThat(listed).hasSizeGreaterThanOrEqualTo(90);
    }

    @Test
    void placeholdersShouldExpandToTheSizesTheCorpusPromises() {
        List<Entry> entries = corpus();

        assertThat(body(entries, "huge-text-3mb.json")).hasSizeGreaterThan(3_000_000);
        assertThat(body(entries, "recipients-10000.json")).contains("\"r1@example.org\"", "\"r10000@example.org\"");
        assertThat(body(entries, "near-sqs-limit.json").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .hasSize(1_048_500);
        assertThat(body(entries, "bucket-other.json")).contains(OTHER_BUCKET).doesNotContain("${");
    }

    private static String body(List<Entry> entries, String file) {
        return entries.stream().filter(e -> e.file().equals(file)).findFirst().orElseThrow().body();
    }
}
