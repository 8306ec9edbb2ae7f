package dev.mailroom.reliability;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Jobs through the whole pipeline — SQS, worker processes, DynamoDB ledger, S3, DNS, SMTP — while
 * every one of them misbehaves at random, and worker processes are SIGKILLed and replaced. At the
 * end the queue is empty and every recipient is either delivered exactly once (counted at the
 * receiving servers) or failed for good with its reason. See {@link LoadRun} for the fault mix.
 *
 * <p>The seed comes from {@code -Dreliability.seed} (else the clock) and is printed with the report.
 */
class LoadWithFaultsTest {

    @Test
    void jobsUnderRandomFaultsAndKilledWorkersShouldAllBeSettledWithNoneLostAndNoneSentTwice() throws Exception {
        // Given: 200 jobs, every outside system faulty, workers killed at random moments
        LoadRun run = new LoadRun("load-small", 200, seed(), 3, 6, Duration.ofSeconds(2), Duration.ofSeconds(5),
                0.005);

        // When
        LoadRun.Report report = run.execute();

        // Then
        report.assertNothingLostNothingDuplicatedBeyondTheCrashWindow();
    }

    @Test
    @Tag("load")
    void tenThousandJobsUnderRandomFaultsAndKilledWorkersShouldAllBeSettledWithNoneLostAndNoneSentTwice()
            throws Exception {
        // Given: 10,000 jobs (-Dreliability.loadJobs=N for another count), every outside system faulty, and
        // a worker killed every 5 to 15 s (one per 150 jobs)
        int jobs = Integer.getInteger("reliability.loadJobs", 10_000);
        LoadRun run = new LoadRun("load-" + jobs, jobs, seed(), 3, Math.max(6, jobs / 150), Duration.ofSeconds(5),
                Duration.ofSeconds(15), 0.001);

        // When
        LoadRun.Report report = run.execute();

        // Then
        report.assertNothingLostNothingDuplicatedBeyondTheCrashWindow();
    }

    private static long seed() {
        String property = System.getProperty("reliability.seed");
        return property != null ? Long.parseLong(property) : System.currentTimeMillis();
    }
}
