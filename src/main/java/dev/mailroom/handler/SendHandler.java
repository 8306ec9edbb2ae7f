package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.config.Mailroom;
import dev.mailroom.retry.DeadLetters;
import java.time.Duration;
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
 * The send function: an SQS-triggered Lambda with ReportBatchItemFailures. Each record is one
 * job, and the records of a batch run in parallel; a record's failure never fails another, and
 * nothing escapes a record.
 *
 * <p>Time budget: a record is started only if an attempt can still finish before the function's
 * deadline (less a margin for the ledger write); records not started go back as batch failures,
 * and no SMTP session outlives the deadline.
 */
public final class SendHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    /**
     * Kept back from the Lambda deadline (and from the lease) for the ledger write and the visibility
     * change: deliveries end this much before it.
     */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);
    /** Kept back for the visibility change and the batch response: the ledger write ends before it. */
    static final Duration RESPONSE_TIME = Duration.ofSeconds(1);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Mailroom mailroom;
    private final ExecutorService records;
    private final SnapStartPriming priming;

    /**
     * Lambda's entry: wiring happens once per container, here, not per invocation; with SnapStart,
     * before the snapshot, primed by {@link SnapStartPriming}.
     */
    public SendHandler() {
        this(Mailroom.fromEnvironment(), true);
    }

    public SendHandler(Mailroom mailroom) {
        this(mailroom, false);
    }

    private SendHandler(Mailroom mailroom, boolean snapStart) {
        this.mailroom = mailroom;
        this.priming = snapStart ? SnapStartPriming.register(mailroom) : null;
        int parallel = mailroom.config().parallelJobs();
        // Idle threads end, so that a handler dropped (in tests, or a worker's) holds none.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(parallel, parallel, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "mailroom-job-" + THREADS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.records = pool;
    }

    /**
     * Handles the batch's records at once, up to {@code MAILROOM_PARALLEL_JOBS}: a job mostly waits
     * (on SMTP replies and ledger writes), and Lambda bills the wait.
     */
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> messages = event.getRecords();
        List<Future<Boolean>> handled = new ArrayList<>();
        if (messages.size() > 1) {
            for (SQSEvent.SQSMessage message : messages) {
                handled.add(records.submit(() -> handle(message, context)));
            }
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            boolean acknowledged = handled.isEmpty() ? handle(messages.get(i), context) : await(handled.get(i));
            if (!acknowledged) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder()
                        .withItemIdentifier(messages.get(i).getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** A record whose handling went wrong beyond {@link #handle} stays on the queue. */
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

    /** @return true to acknowledge the message, false to leave it on the queue */
    private boolean handle(SQSEvent.SQSMessage message, Context context) {
        Duration usable = Duration.ofMillis(context.getRemainingTimeInMillis()).minus(SAFETY_MARGIN);
        if (usable.compareTo(mailroom.config().smtp().minimumAttemptTime()) < 0) {
            // Not started: make it visible again at once for the next invocation, rather than
            // after a whole visibility timeout.
            hideQuietly(message, Duration.ZERO);
            return false;
        }
        Instant now = mailroom.clock().instant();
        Instant deliverBy = now.plus(usable);
        Instant recordBy = now.plus(Duration.ofMillis(context.getRemainingTimeInMillis())).minus(RESPONSE_TIME);
        String fallbackJobId = jobIdOf(message);
        try {
            Verdict verdict = mailroom.processor().process(message.getBody(), fallbackJobId, deliverBy, recordBy);
            if (verdict instanceof Verdict.RetryAfter retryAfter) {
                mailroom.queue().hide(message.getReceiptHandle(), retryAfter.delay());
                return false;
            }
            return verdict instanceof Verdict.Done;
        } catch (RuntimeException e) {
            // Infrastructure trouble (throttling, a lost lease, the DLQ unreachable): try again later.
            mailroom.log().error(fallbackJobId, "process", e);
            return false;
        }
    }

    private void hideQuietly(SQSEvent.SQSMessage message, Duration delay) {
        try {
            mailroom.queue().hide(message.getReceiptHandle(), delay);
        } catch (RuntimeException e) {
            // The message still comes back when its visibility timeout ends.
        }
    }

    /** A redriven message carries its job id; otherwise the SQS message id stands in for it. */
    static String jobIdOf(SQSEvent.SQSMessage message) {
        if (message.getMessageAttributes() != null) {
            SQSEvent.MessageAttribute attribute = message.getMessageAttributes().get(DeadLetters.JOB_ID_ATTRIBUTE);
            if (attribute != null && attribute.getStringValue() != null) {
                return attribute.getStringValue();
            }
        }
        return message.getMessageId();
    }
}
