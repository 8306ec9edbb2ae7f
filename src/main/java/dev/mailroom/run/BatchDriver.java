package dev.mailroom.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a batch's records through a {@link RecordStep}, up to {@code parallel} at once — a job
 * mostly waits (on SMTP replies and ledger writes), and Lambda bills the wait — and reports the
 * ones to keep, as SQS partial batch failures. A record's failure never fails another. Both
 * runners use it: the Lambda handlers and the worker's poller.
 */
public final class BatchDriver implements BatchHandler {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final RecordStep step;
    /** Null when records run one after another on the caller's thread. */
    private final ExecutorService records;

    /** @param parallel records handled at once; 1 handles them one after another on the caller's thread */
    public BatchDriver(RecordStep step, int parallel) {
        this.step = step;
        this.records = parallel > 1 ? pool(parallel) : null;
    }

    private static ExecutorService pool(int parallel) {
        // Idle threads end, so that a driver dropped (in tests, or a worker's) holds none.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(parallel, parallel, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "mailroom-job-" + THREADS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public List<String> run(List<QueueMessage> messages, Instant end) {
        List<Future<Boolean>> handled = new ArrayList<>();
        if (records != null && messages.size() > 1) {
            for (QueueMessage message : messages) {
                handled.add(records.submit(() -> step.acknowledge(message, end)));
            }
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            boolean acknowledged = handled.isEmpty() ? inline(messages.get(i), end) : await(handled.get(i));
            if (!acknowledged) {
                kept.add(messages.get(i).messageId());
            }
        }
        return kept;
    }

    /** One record on the caller's thread; as on a record thread, what escapes the step keeps only that record. */
    private boolean inline(QueueMessage message, Instant end) {
        try {
            return step.acknowledge(message, end);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A record whose handling went wrong beyond its step stays on the queue. */
    private static boolean await(Future<Boolean> record) {
        try {
            return record.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return false;
        }
    }
}
