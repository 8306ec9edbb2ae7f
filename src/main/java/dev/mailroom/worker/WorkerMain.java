package dev.mailroom.worker;

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

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        run(System.getenv());
    }

    /** Polls and delivers until SIGTERM (or Ctrl-C), configured by {@code variables}; then finishes the batch in hand. */
    public static void run(Map<String, String> variables) throws InterruptedException {
        SendWiring wiring = SendWiring.from(variables);
        Duration batchTimeout = AttemptBudget.workerBatch(wiring.config().lease(),
                wiring.config().smtp().minimumAttemptTime());
        SqsPoller poller = new SqsPoller(wiring.aws().sqs(), wiring.config().queueUrl(), wiring.batch(),
                batchTimeout, wiring.clock(), wiring.log());
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
            wiring.close();
            finished.countDown();
        }
    }
}
