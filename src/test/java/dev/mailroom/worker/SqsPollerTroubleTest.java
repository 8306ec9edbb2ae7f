package dev.mailroom.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.observe.JobLog;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.run.BatchDriver;
import dev.mailroom.testing.AwsTestStack;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker outlives trouble with the queue itself instead of dying on the first failed receive. */
class SqsPollerTroubleTest {

    private final AwsTestStack stack = AwsTestStack.shared();

    @Test
    void aWorkerShouldLogQueueTroubleBackOffAndCarryOnWhenTheQueueIsBack() throws Exception {
        // Given: a worker polling a queue that has just been deleted
        String name = stack.uniqueName("trouble");
        String queueUrl = stack.createQueue(name);
        stack.sqs().deleteQueue(b -> b.queueUrl(queueUrl));
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> logs = new CopyOnWriteArrayList<>();
        SqsPoller poller = new SqsPoller(stack.sqs(), queueUrl, new BatchDriver((message, end) -> {
            bodies.add(message.body());
            return true;
        }, 1), Duration.ofSeconds(10), Clock.systemUTC(), new JobLog(new JsonLines(logs::add), Clock.systemUTC()));
        Thread worker = new Thread(poller::run, "trouble-worker");
        worker.start();
        try {
            awaitUntil(() -> !logs.isEmpty(), "the failed receive logged");

            // When: the queue comes back with a job on it
            stack.createQueue(name);
            stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("after the outage"));

            // Then: the same worker, still running, takes it
            awaitUntil(() -> bodies.contains("after the outage"), "the job taken after the outage");
            assertThat(worker.isAlive()).isTrue();
            assertThat(logs.get(0)).contains("\"event\":\"job.error\"").contains("poll " + queueUrl);
        } finally {
            poller.stop();
            worker.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(worker.isAlive()).as("stopped, even while backing off or long-polling").isFalse();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < end).as("waiting for " + what).isTrue();
            Thread.sleep(50);
        }
    }
}
