package dev.mailroom.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The time an attempt gets: cut from its runner's end, within the job's lease. */
class AttemptBudgetTest {

    private static final Duration ATTEMPT = Duration.ofSeconds(70); // default 10 s connect + 60 s read
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @Test
    void anAttemptShouldEndItsDeliveryFiveSecondsAndItsLedgerWriteOneSecondBeforeTheRunner() {
        // When: a Lambda invocation with 15 minutes left
        AttemptBudget budget = AttemptBudget.before(T0.plusSeconds(900), CLOCK, ATTEMPT).orElseThrow();

        // Then
        assertThat(budget.deliverBy().at()).isEqualTo(T0.plusSeconds(895));
        assertThat(budget.recordBy().at()).isEqualTo(T0.plusSeconds(899));
    }

    @Test
    void noAttemptShouldStartWhenOneConnectAndOneReplyNoLongerFit() {
        assertThat(AttemptBudget.before(T0.plusSeconds(75), CLOCK, ATTEMPT)).isPresent();
        assertThat(AttemptBudget.before(T0.plusSeconds(74), CLOCK, ATTEMPT)).isEmpty();
    }

    @Test
    void deliveryShouldEndFiveSecondsBeforeTheLeaseWhenTheLeaseEndsFirst() {
        // Given
        AttemptBudget budget = AttemptBudget.before(T0.plusSeconds(900), CLOCK, ATTEMPT).orElseThrow();

        // When
        AttemptBudget leased = budget.withinLease(T0.plusSeconds(120));

        // Then: the ledger write keeps the runner's time; it is conditioned on the lease anyway
        assertThat(leased.deliverBy().at()).isEqualTo(T0.plusSeconds(115));
        assertThat(leased.recordBy()).isEqualTo(budget.recordBy());
        assertThat(budget.withinLease(T0.plusSeconds(3600))).isEqualTo(budget);
    }
}
