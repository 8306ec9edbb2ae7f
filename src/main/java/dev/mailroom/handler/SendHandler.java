package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.wiring.SendWiring;
import java.time.Clock;

/**
 * The send function: an SQS-triggered Lambda with ReportBatchItemFailures, a thin adapter over the
 * runtime-neutral runner the worker uses too ({@link dev.mailroom.run.BatchDriver} over a
 * {@link dev.mailroom.run.SendStep}). Each record is one job, and the records of a batch run in
 * parallel; a record's failure never fails another, and nothing escapes a record.
 *
 * <p>Time budget: a record is started only if an attempt can still finish before the function's
 * deadline (less a margin for the ledger write, {@link dev.mailroom.budget.AttemptBudget}); records
 * not started go back as batch failures, and no SMTP session outlives the deadline.
 */
public final class SendHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final BatchHandler batch;
    private final Clock clock;
    private final SnapStartPriming priming;

    /**
     * Lambda's entry: wiring happens once per container, here, not per invocation; with SnapStart,
     * before the snapshot, primed by {@link SnapStartPriming}.
     */
    public SendHandler() {
        this(SendWiring.fromEnvironment());
    }

    private SendHandler(SendWiring wiring) {
        this.batch = wiring.batch();
        this.clock = wiring.clock();
        this.priming = SnapStartPriming.register(wiring::prime, wiring::loadKeys, wiring.log());
    }

    /** @param clock the clock the invocation's remaining time is measured from */
    public SendHandler(BatchHandler batch, Clock clock) {
        this.batch = batch;
        this.clock = clock;
        this.priming = null;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return SqsRecords.handle(batch, event, context, clock);
    }
}
