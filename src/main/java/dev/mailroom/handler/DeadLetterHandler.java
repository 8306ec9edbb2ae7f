package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.run.BatchHandler;
import dev.mailroom.wiring.DeadLetterWiring;
import java.time.Clock;

/**
 * The dead-letter function, on the DLQ: each record through {@link dev.mailroom.run.DeadLetterStep}
 * (archive and reconcile what the send queue's redrive policy moved there), a record that fails
 * kept as a batch item failure.
 */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final BatchHandler batch;
    private final Clock clock;

    /** Lambda's entry: the dead-letter role's own wiring, once per container. */
    public DeadLetterHandler() {
        this(DeadLetterWiring.fromEnvironment());
    }

    private DeadLetterHandler(DeadLetterWiring wiring) {
        this(wiring.batch(), wiring.clock());
    }

    public DeadLetterHandler(BatchHandler batch, Clock clock) {
        this.batch = batch;
        this.clock = clock;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return SqsRecords.handle(batch, event, context, clock);
    }
}
