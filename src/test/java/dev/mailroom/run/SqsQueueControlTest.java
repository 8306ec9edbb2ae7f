package dev.mailroom.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.AwsTestStack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** Moving a message's visibility on a real queue (ElasticMQ, or LocalStack with -Dmailroom.stack=localstack). */
class SqsQueueControlTest {

    private final AwsTestStack stack = AwsTestStack.shared();

    @Test
    void aDelayUnderOneSecondShouldNeverMakeTheMessageVisibleAtOnce() {
        // Given: a received message whose job is leased for another 0.8 s
        String queueUrl = stack.createQueue(stack.uniqueName("visibility"));
        stack.sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("{}"));
        Message message = receive(queueUrl, 5).get(0);

        // When
        new SqsQueueControl(stack.sqs(), queueUrl).hide(message.receiptHandle(), Duration.ofMillis(800));

        // Then: SQS counts whole seconds; rounding down to 0 would hand the job straight back
        assertThat(receive(queueUrl, 0)).as("visible again before its delay").isEmpty();
        assertThat(receive(queueUrl, 5)).as("visible again after it").hasSize(1);
    }

    @Test
    void wholeSecondsShouldStayAsTheyAre() {
        assertThat(SqsQueueControl.ceilSeconds(Duration.ofSeconds(3))).isEqualTo(3);
        assertThat(SqsQueueControl.ceilSeconds(Duration.ofMillis(3001))).isEqualTo(4);
        assertThat(SqsQueueControl.ceilSeconds(Duration.ZERO)).isZero();
    }

    private List<Message> receive(String queueUrl, int waitSeconds) {
        return stack.sqs().receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(waitSeconds).maxNumberOfMessages(1))
                .messages();
    }
}
