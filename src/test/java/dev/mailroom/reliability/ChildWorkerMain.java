package dev.mailroom.reliability;

import dev.mailroom.wiring.SendWiring;
import dev.mailroom.worker.SqsPoller;
import java.time.Duration;

/**
 * The worker process the reliability tests start and SIGKILL: {@link dev.mailroom.worker.WorkerMain}'s
 * wiring exactly ({@link Mailroom#fromEnvironment()}, the real {@link SendHandler} behind the real
 * {@link SqsPoller}), with one difference: the batch time budget comes from
 * {@value #BATCH_TIMEOUT_VARIABLE} (seconds).
 *
 * <p>Why not WorkerMain itself: it gives each batch {@code MAILROOM_LEASE - 1 min}. With the short
 * leases these tests need (a killed worker's jobs are stuck until its lease runs out) that budget is
 * negative, and the handler hands every record back unstarted — see {@code WorkerMainLeaseTest}.
 */
public final class ChildWorkerMain {

    static final String BATCH_TIMEOUT_VARIABLE = "RELIABILITY_BATCH_TIMEOUT_SECONDS";
    static final String WARM_UP = "--warm-up";

    private ChildWorkerMain() {
    }

    /**
     * @param args {@value #WARM_UP} to wire everything, take one batch from the queue (a warm-up job)
     *             and exit: a run that lets the JVM write a class-data-sharing archive for the next starts
     */
    public static void main(String[] args) {
        SendWiring mailroom = SendWiring.fromEnvironment();
        Duration batchTimeout = Duration.ofSeconds(Long.parseLong(System.getenv(BATCH_TIMEOUT_VARIABLE)));
        if (batchTimeout.compareTo(mailroom.config().lease()) >= 0) {
            throw new IllegalStateException("the batch timeout must stay below MAILROOM_LEASE");
        }
        SqsPoller poller = new SqsPoller(mailroom.aws().sqs(), mailroom.config().queueUrl(), mailroom.batch(),
                batchTimeout, mailroom.clock(), mailroom.log());
        if (args.length > 0 && WARM_UP.equals(args[0])) {
            poller.pollOnce(5); // one job, delivered: the classes of every stage get loaded
            mailroom.close();
            System.exit(0);
        }
        System.out.println("{\"worker\":\"ready\",\"at\":" + System.currentTimeMillis() + "}");
        System.out.flush();
        poller.run();
    }
}
