package dev.mailroom.worker;

import dev.mailroom.config.Mailroom;
import dev.mailroom.handler.SendHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Worker mode: the send pipeline as a long-running process that long-polls the send queue, for
 * hosts where port 25 is open. Configured by the same environment variables as the Lambda
 * function. SIGTERM stops polling, finishes the batch in hand, then exits: no in-flight job is
 * lost (an unfinished one would reappear on the queue anyway).
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Mailroom mailroom = Mailroom.fromEnvironment();
        Duration batchTimeout = mailroom.config().lease().minus(Duration.ofMinutes(1));
        SqsPoller poller = new SqsPoller(mailroom.aws().sqs(), mailroom.config().queueUrl(), new SendHandler(mailroom),
                batchTimeout, mailroom.clock());
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
            mailroom.close();
            finished.countDown();
        }
    }
}
