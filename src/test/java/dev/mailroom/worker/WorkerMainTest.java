package dev.mailroom.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How much time worker mode gives a batch, derived from MAILROOM_LEASE. */
class WorkerMainTest {

    private static final Duration ATTEMPT = Duration.ofSeconds(70); // default 10 s connect + 60 s read

    @Test
    void aLongLeaseShouldKeepOneMinuteBack() {
        assertThat(WorkerMain.batchTimeout(Duration.ofMinutes(15), ATTEMPT)).isEqualTo(Duration.ofMinutes(14));
    }

    @Test
    void aShortLeaseShouldKeepAFifthBack() {
        assertThat(WorkerMain.batchTimeout(Duration.ofSeconds(15), Duration.ofSeconds(5)))
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(WorkerMain.batchTimeout(Duration.ofMinutes(2), ATTEMPT)).isEqualTo(Duration.ofSeconds(96));
    }

    @Test
    void aLeaseTooShortForOneAttemptShouldStopTheWorkerNamingTheVariable() {
        assertThatThrownBy(() -> WorkerMain.batchTimeout(Duration.ofSeconds(60), ATTEMPT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAILROOM_LEASE 60s")
                .hasMessageContaining("at least 94s");
    }
}
