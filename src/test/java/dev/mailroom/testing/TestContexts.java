package dev.mailroom.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Lambda invocations by hand: a context with a given time left, and SQS events. */
public final class TestContexts {

    private TestContexts() {
    }

    /** A context whose remaining time counts down from {@code timeLeft}. */
    public static Context lambda(Duration timeLeft) {
        long deadline = System.currentTimeMillis() + timeLeft.toMillis();
        return new Context() {
            @Override public String getAwsRequestId() { return "test-request"; }
            @Override public String getLogGroupName() { return "test"; }
            @Override public String getLogStreamName() { return "test"; }
            @Override public String getFunctionName() { return "mailroom-send"; }
            @Override public String getFunctionVersion() { return "$LATEST"; }
            @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:mailroom-send"; }
            @Override public CognitoIdentity getIdentity() { return null; }
            @Override public ClientContext getClientContext() { return null; }
            @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
            @Override public int getMemoryLimitInMB() { return 512; }
            @Override public LambdaLogger getLogger() {
                return new LambdaLogger() {
                    @Override public void log(String message) { System.out.println(message); }
                    @Override public void log(byte[] message) { System.out.println(new String(message)); }
                };
            }
        };
    }

    /** An SQS event of one record, as Lambda delivers it. */
    public static SQSEvent event(String messageId, String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(messageId);
        message.setReceiptHandle("receipt-" + messageId);
        message.setBody(body);
        message.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        message.setMessageAttributes(Map.of());
        message.setEventSource("aws:sqs");
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }
}
