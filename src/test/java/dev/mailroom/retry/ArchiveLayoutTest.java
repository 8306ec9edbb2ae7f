package dev.mailroom.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dead-letter archive's layout, which the service writes by and the client reads by. */
class ArchiveLayoutTest {

    private static final Instant ARCHIVED = Instant.parse("2025-11-28T12:00:00.123Z");

    private final ArchiveLayout layout = new ArchiveLayout(ArchiveLayout.DEFAULT_PREFIX);

    @Test
    void keyShouldBeThePrefixTheKeySafeJobIdAndTheMillisecondOfArchiving() {
        assertThat(layout.key("inv:2026/1", ARCHIVED)).isEqualTo("dead-letters/inv_2026_1/1764331200123.json");
        assertThat(new ArchiveLayout("archive/x-").key("inv-1", ARCHIVED)).isEqualTo("archive/x-inv-1/1764331200123.json");
    }

    @Test
    void metadataShouldBeTheWireNamesWithTheIdUrlEncodedAndTheReasonInAscii() {
        assertThat(layout.metadata("inv:2026/1 ü", "5.1.1 no such user: Zoë")).isEqualTo(Map.of(
                "mailroom-job-id", "inv%3A2026%2F1+%C3%BC",
                "mailroom-reason", "5.1.1 no such user: Zo?"));
    }

    @Test
    void aWrittenKeyAndItsMetadataShouldReadBackAsTheJobIdAndTheArchivingTime() {
        String key = layout.key("inv:2026/1", ARCHIVED);

        assertThat(layout.archivedAt(key)).contains(ARCHIVED);
        assertThat(layout.jobId(key, layout.metadata("inv:2026/1", "expired"))).isEqualTo("inv:2026/1");
        assertThat(layout.reason(layout.metadata("inv:2026/1", "expired"))).isEqualTo("expired");
    }

    @Test
    void anObjectWithoutMetadataShouldBeNamedByItsKeysJobPart() {
        assertThat(layout.jobId("dead-letters/inv_2026_1/1764331200123.json", Map.of())).isEqualTo("inv_2026_1");
        assertThat(layout.jobId("dead-letters/loose.json", Map.of())).isEqualTo("loose.json");
        assertThat(layout.reason(Map.of())).isNull();
    }

    @Test
    void archivedAtShouldBeEmptyForANameOfAnotherForm() {
        assertThat(layout.archivedAt("dead-letters/inv-1/copy.json")).isEmpty();
        assertThat(layout.archivedAt("dead-letters/inv-1/1764331200123.txt")).isEmpty();
        assertThat(layout.archivedAt("dead-letters/inv-1/1234567890123456789.json")).isEmpty();
    }
}
