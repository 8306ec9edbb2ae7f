package dev.mailroom.deliver;

import jakarta.mail.internet.InternetAddress;
import java.time.Duration;

/**
 * One recipient's outcome for one attempt.
 *
 * @param latency from the start of this recipient's domain delivery to its outcome
 */
public record RecipientResult(InternetAddress recipient, Outcome outcome, Duration latency) {

    public String address() {
        return recipient.getAddress();
    }
}
