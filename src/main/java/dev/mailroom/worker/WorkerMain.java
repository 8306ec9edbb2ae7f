package dev.mailroom.worker;

import dev.mailroom.observe.JobLog;
import dev.mailroom.outbox.Outbox;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.mailroom.budget.AttemptBudget;
import dev.mailroom.wiring.SendWiring;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Worker mode: the send pipeline as a long-running process that long-polls the send queue, for
 * hosts where port 25 is open. Configured by the same environment variables as the Lambda
 * function, and running the same runner as the send function's handler. SIGTERM stops polling,
 * finishes the batch in hand, then exits: no in-flight job is lost (an unfinished one would
 * reappear on the queue anyway).
 */
public final class WorkerMain {

    /** A batch keeps back a fifth of the lease, at most this much. */
    private static final Duration MAX_RESERVE = Duration.ofMinutes(1);
    /** How often the worker publishes what crashed writers left in the ledger (EventSweepHandler's schedule). */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(5);

    private WorkerMain() {
    }

    /**
     * The time a worker gives each batch, as a Lambda timeout: the lease less a fifth of it (at most a
     * minute), so that every job claimed during the batch is recorded while its lease still holds.
     *
     * @throws IllegalArgumentException naming MAILROOM_LEASE when that leaves no room for one attempt
     */
    static Duration batchTimeout(Duration lease, Duration minimumAttempt) {
        Duration reserve = lease.dividedBy(5);
        Duration batch = lease.minus(reserve.compareTo(MAX_RESERVE) < 0 ? reserve : MAX_RESERVE);
        Duration needed = minimumAttempt.plus(AttemptBudget.SAFETY_MARGIN);
        if (batch.compareTo(needed) < 0) {
            throw new IllegalArgumentException("MAILROOM_LEASE " + lease.toSeconds() + "s leaves a batch "
                    + batch.toMillis() + " ms, less than one attempt needs (" + needed.toSeconds()
                    + " s: MAILROOM_CONNECT_TIMEOUT + MAILROOM_READ_TIMEOUT + " + AttemptBudget.SAFETY_MARGIN.toSeconds()
                    + " s for the ledger); raise MAILROOM_LEASE to at least "
                    + (needed.multipliedBy(5).dividedBy(4).toMillis() + 999) / 1000 + "s");
        }
        return batch;
    }

    public static void main(String[] args) throws InterruptedException {
        run(System.getenv());
    }

    /** Polls and delivers until SIGTERM (or Ctrl-C), configured by {@code variables}; then finishes the batch in hand. */
    public static void run(Map<String, String> variables) throws InterruptedException {
        SendWiring wiring = SendWiring.from(variables);
        Duration batchTimeout = batchTimeout(wiring.config().lease(),
                wiring.config().smtp().minimumAttemptTime());
        SqsPoller poller = new SqsPoller(wiring.aws().sqs(), wiring.config().queueUrl(), wiring.batch(),
                batchTimeout, wiring.clock(), wiring.log());
        ScheduledExecutorService sweeper = sweepEvents(wiring.outbox(), wiring.log());
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            poller.stop();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mailroom-shutdown"));
        try {
            poller.run();
        } finally {
            sweeper.shutdownNow();
            wiring.close();
            finished.countDown();
        }
    }

    /** The worker's own event sweeper, as the template schedules one for Lambda: every five minutes. */
    private static ScheduledExecutorService sweepEvents(Outbox outbox, JobLog log) {
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "mailroom-event-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        if (outbox.publishes()) {
            sweeper.scheduleWithFixedDelay(() -> {
                try {
                    outbox.sweep();
                } catch (RuntimeException e) {
                    log.error(null, "sweep events", e); // the ledger unreachable: the next sweep tries again
                }
            }, SWEEP_EVERY.toSeconds(), SWEEP_EVERY.toSeconds(), TimeUnit.SECONDS);
        }
        return sweeper;
    }
}
