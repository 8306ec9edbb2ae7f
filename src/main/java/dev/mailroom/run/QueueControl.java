package dev.mailroom.run;

import java.time.Duration;

/** The one thing the send step asks of the send queue itself: hide a message for a while. */
public interface QueueControl {

    /** ChangeMessageVisibility: the message reappears after {@code delay} (at most 12 h). */
    void hide(String receiptHandle, Duration delay);
}
