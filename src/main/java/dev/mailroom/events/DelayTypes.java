package dev.mailroom.events;

import java.util.Optional;

/**
 * SES's {@code delayType} for a DEFERRED recipient, from what the ledger kept of the transient
 * failure (SES's values, "DeliveryDelay object": InternalFailure, General, MailboxFull, SpamDetected,
 * RecipientServerError, IPFailure, TransientCommunicationFailure, BYOIPHostNameLookupUnavailable,
 * Undetermined, SendingDeferral). The one place that decides it:
 *
 * <ul>
 *   <li>no SMTP reply (DNS, connection, TLS, timeouts), or X.4.x (network and routing) →
 *       {@code TransientCommunicationFailure};</li>
 *   <li>X.2.2 → {@code MailboxFull};</li>
 *   <li>X.7.x (policy: greylisting, rate limits, reputation) → {@code IPFailure}, SES's "the
 *       sending IP address is being blocked or throttled";</li>
 *   <li>any other 4xx reply → {@code RecipientServerError}.</li>
 * </ul>
 * A failure of Mailroom's own (an attachment it could not read) looks like the first case in the
 * ledger — no reply — and is reported as one; SES's {@code InternalFailure} would fit it better once
 * the ledger tells the two apart.
 */
public final class DelayTypes {

    private DelayTypes() {
    }

    /**
     * @param replyCode    the server's reply code, empty when no server replied
     * @param enhancedCode the enhanced status code, if any
     */
    public static String of(Optional<Integer> replyCode, Optional<String> enhancedCode) {
        String code = enhancedCode.map(String::trim).orElse("");
        if (code.matches("4\\.2\\.2")) {
            return "MailboxFull";
        }
        if (code.matches("4\\.7\\.\\d{1,3}")) {
            return "IPFailure";
        }
        if (replyCode.isEmpty() || code.matches("4\\.4\\.\\d{1,3}")) {
            return "TransientCommunicationFailure";
        }
        return "RecipientServerError";
    }
}
