package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import dev.mailroom.inbound.InboundStep;
import dev.mailroom.wiring.BounceWiring;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The bounce function: an S3 event for each message SES receiving stored (a receipt rule's S3
 * action) through {@link InboundStep}. A message that cannot be read fails the invocation, so that
 * Lambda's asynchronous retries deliver the event again; every other outcome is logged and done.
 */
public final class BounceHandler implements RequestHandler<S3Event, Void> {

    private final InboundStep step;

    /** Lambda's entry: the bounce role's own wiring, once per container. */
    public BounceHandler() {
        this(BounceWiring.fromEnvironment().step());
    }

    public BounceHandler(InboundStep step) {
        this.step = step;
    }

    @Override
    public Void handleRequest(S3Event event, Context context) {
        for (var record : event.getRecords()) {
            // S3 event notifications URL-encode the key (a space as '+').
            String key = URLDecoder.decode(record.getS3().getObject().getKey(), StandardCharsets.UTF_8);
            step.handle(record.getS3().getBucket().getName(), key);
        }
        return null;
    }
}
