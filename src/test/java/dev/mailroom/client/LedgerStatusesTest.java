package dev.mailroom.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's statuses are the ledger's, state for state and name for name (README: Statuses). */
class LedgerStatusesTest {

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void everyLedgerStateShouldBeTheClientStateOfTheSameName() {
        assertThat(Arrays.stream(JobStatus.values()).map(s -> LedgerStatuses.state(s).name()))
                .containsExactly(Arrays.stream(JobStatus.values()).map(Enum::name).toArray(String[]::new));
        assertThat(SendStatus.JobState.values()).hasSameSizeAs(JobStatus.values());
        assertThat(Arrays.stream(RecipientStatus.values()).map(s -> LedgerStatuses.state(s).name()))
                .containsExactly(Arrays.stream(RecipientStatus.values()).map(Enum::name).toArray(String[]::new));
        assertThat(SendStatus.RecipientState.values()).hasSameSizeAs(RecipientStatus.values());
    }

    @Test
    void ofShouldCarryEveryFieldAnApplicationSeesAndListRecipientsByAddress() {
        JobRecord job = new JobRecord("inv-1", JobStatus.DEAD_LETTERED, 4, T0, T0.plusSeconds(9), null, T0.plusSeconds(99),
                "expired", "worker-a", T0.plusSeconds(900), "<m@example.com>", Map.of(
                        "zoe@example.org", new RecipientRecord(RecipientStatus.EXPIRED, 451, "4.3.0", "later", "mx", 4, T0),
                        "ann@example.org", new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0", "ok", "mx", 1, T0,
                                List.of("s1._domainkey.example.com", "e1._domainkey.example.com"))),
                "dead-letters/inv-1/1.json", null);

        assertThat(LedgerStatuses.of(job)).isEqualTo(new SendStatus("inv-1", SendStatus.JobState.DEAD_LETTERED, 4, T0,
                T0.plusSeconds(9), null, T0.plusSeconds(99), "expired", "<m@example.com>", "dead-letters/inv-1/1.json",
                List.of(
                        new SendStatus.Recipient("ann@example.org", SendStatus.RecipientState.DELIVERED, 250, "2.0.0", "ok",
                                "mx", 1, T0, List.of("s1._domainkey.example.com", "e1._domainkey.example.com")),
                        new SendStatus.Recipient("zoe@example.org", SendStatus.RecipientState.EXPIRED, 451, "4.3.0", "later",
                                "mx", 4, T0, List.of()))));
    }
}
