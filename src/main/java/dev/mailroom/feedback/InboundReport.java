package dev.mailroom.feedback;

import java.util.List;
import java.util.Optional;

/**
 * What an inbound message sent to the bounce domain turned out to be. Every message yields exactly
 * one of these; nothing is thrown for a message that is malformed or not a report at all.
 *
 * <p>{@link #addressedTo()} lists the addresses the report itself was delivered to (Delivered-To,
 * X-Original-To, Envelope-To, To), in that order: with a VERP return path the first
 * {@code bounces+<token>@<bounce domain>} among them names the job and recipient even when the
 * report says nothing useful about the original message.
 */
public sealed interface InboundReport {

    List<String> addressedTo();

    OriginalMessage original();

    /**
     * A delivery status notification: RFC 3464 ({@link Recognition#RFC3464}) or the plain-text
     * bounce an MTA wrote in its own words ({@link Recognition#PLAIN_TEXT}).
     */
    record DeliveryStatusNotification(Optional<String> reportingMta, List<RecipientResult> recipients,
            Recognition recognition, List<String> addressedTo, OriginalMessage original) implements InboundReport {
        public DeliveryStatusNotification {
            recipients = List.copyOf(recipients);
            addressedTo = List.copyOf(addressedTo);
        }
    }

    /**
     * A feedback report (ARF, RFC 5965 §3.1, or a provider's non-standard equivalent): a user or
     * provider complaining about the original message. {@code feedbackType} is RFC 5965's token
     * in lower case: abuse, fraud, virus, other, not-spam, auth-failure (RFC 6591), opt-out.
     */
    record FeedbackReport(String feedbackType, Optional<String> userAgent, Optional<String> originalMailFrom,
            List<String> originalRecipients, List<String> reportedDomains, Optional<String> sourceIp,
            List<String> addressedTo, OriginalMessage original) implements InboundReport {
        public FeedbackReport {
            originalRecipients = List.copyOf(originalRecipients);
            reportedDomains = List.copyOf(reportedDomains);
            addressedTo = List.copyOf(addressedTo);
        }
    }

    /**
     * An automatic response (RFC 3834: vacation notices, "out of office", autoresponders). Never a
     * bounce, whatever its wording; {@code evidence} names the header or subject that showed it.
     */
    record AutoReply(String evidence, List<String> addressedTo, OriginalMessage original) implements InboundReport {
        public AutoReply {
            addressedTo = List.copyOf(addressedTo);
        }
    }

    /** Ordinary mail, or a report this parser does not recognise. */
    record NotAReport(List<String> addressedTo, OriginalMessage original) implements InboundReport {
        public NotAReport {
            addressedTo = List.copyOf(addressedTo);
        }
    }

    /** How a delivery status notification was read. */
    enum Recognition {
        /** multipart/report with a message/delivery-status part (RFC 3464 §2). */
        RFC3464,
        /** Recipients and codes found in the failure text of a non-standard bounce. */
        PLAIN_TEXT,
        /** An Amazon SES notification (JSON) forwarded by email. */
        SES_NOTIFICATION
    }
}
