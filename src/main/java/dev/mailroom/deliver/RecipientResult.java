package dev.mailroom.deliver;

import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.List;

/**
 * One recipient's outcome for one attempt.
 *
 * @param latency from the start of this recipient's domain delivery to its outcome
 * @param trail   the hosts that failed before the outcome, in the order tried (empty when the first
 *                host tried gave it)
 */
public record RecipientResult(InternetAddress recipient, Outcome outcome, Duration latency, List<HostFailure> trail) {

    public RecipientResult {
        trail = List.copyOf(trail);
    }

    public RecipientResult(InternetAddress recipient, Outcome outcome, Duration latency) {
        this(recipient, outcome, latency, List.of());
    }

    public String address() {
        return recipient.getAddress();
    }
}
