package dev.mailroom.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's first command: the sample jobs through the real handler on the embedded stack. */
class LocalStackMainTest {

    @Test
    void runShouldDeliverEverySampleJobAndRejectTheInvalidOne() throws Exception {
        // Given
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

        // When
        new LocalStackMain(out, Map.of()).run(Path.of("events"), false);

        // Then
        String report = captured.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("» jobs done: 6/6");
        assertThat(report).containsPattern("welcome-2026-000001 +DELIVERED");
        assertThat(report).containsPattern("inv-2026-000123 +DELIVERED");
        assertThat(report).containsPattern("newsletter-2026-05-ann +DELIVERED");
        assertThat(report).containsPattern("report-2026-w18 +DELIVERED");
        assertThat(report).containsPattern("bad-2026-000001 +REJECTED");
        assertThat(report).contains("reason: subject: contains CR or LF (header injection)");
        assertThat(report).doesNotContain("DEFERRED").doesNotContain("FAILED");
        String mailLine = report.lines().filter(l -> l.contains("message(s) caught")).findFirst().orElseThrow();
        Path mailDir = Path.of(mailLine.substring(mailLine.indexOf(" in ") + 4));
        try (Stream<Path> files = Files.list(mailDir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).count())
                    .isEqualTo(Long.parseLong(mailLine.substring(0, mailLine.indexOf(' '))));
        }
    }
}
