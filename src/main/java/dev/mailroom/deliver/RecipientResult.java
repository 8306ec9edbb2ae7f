package dev.mailroom.deliver;

import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.List;

/**
 * One recipient's outcome for one attempt.
 *
 * @param latency  from the start of this recipient's domain delivery to its outcome
 * @param trail    the hosts that failed before the outcome, in the order tried (empty when the first
 *                 host tried gave it)
 * @param signedBy the DKIM keys that signed the message offered to this recipient, as their DNS names
 *                 ({@link Composition.Ready#signedBy()}); empty when it was unsigned or never composed
 */
public record RecipientResult(InternetAddress recipient, Outcome outcome, Duration latency, List<HostFailure> trail,
                              List<String> signedBy) {

    public RecipientResult {
        trail = List.copyOf(trail);
        signedBy = List.copyOf(signedBy);
    }

    public RecipientResult(InternetAddress recipient, Outcome outcome, Duration latency) {
        this(recipient, outcome, latency, List.of(), List.of());
    }

    public String address() {
        return recipient.getAddress();
    }
}
