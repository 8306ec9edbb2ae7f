package dev.mailroom.events;

import dev.mailroom.events.SesDetails.BouncedRecipient;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.ledger.SuppressionReason;
import java.util.Optional;

/** The bounce of a recipient that failed while Mailroom was sending: FAILED, EXPIRED or SUPPRESSED. */
final class SendingBounces {

    private SendingBounces() {
    }

    static boolean covers(RecipientStatus status) {
        return status == RecipientStatus.FAILED || status == RecipientStatus.EXPIRED
                || status == RecipientStatus.SUPPRESSED;
    }

    static BounceKind kind(RecipientRecord rec) {
        return switch (rec.status()) {
            case SUPPRESSED -> BounceKinds.suppressed();
            case FAILED -> BounceKinds.of(Optional.ofNullable(rec.enhancedCode()), true);
            case EXPIRED -> BounceKinds.of(Optional.ofNullable(rec.enhancedCode()), false);
            default -> throw new IllegalArgumentException("not a bounce: " + rec.status());
        };
    }

    /**
     * {@code action} is RFC 3464's {@code failed} for all three. A suppressed recipient has no reply:
     * its status is 5.1.1 when a bounce put it on the list (the address is dead) and 5.7.1 (delivery
     * not authorised) for a complaint, an unsubscribe or an operator's entry; its diagnostic says so
     * in words, as SES's does for its own suppression list.
     */
    static BouncedRecipient recipient(String recipient, RecipientRecord rec) {
        if (rec.status() == RecipientStatus.SUPPRESSED) {
            String status = rec.suppression().reason() == SuppressionReason.BOUNCE ? "5.1.1" : "5.7.1";
            return new BouncedRecipient(recipient, "failed", status,
                    "Mailroom did not send the message to this address: " + rec.replyText());
        }
        String fallback = rec.status() == RecipientStatus.EXPIRED ? "4.0.0" : "5.0.0";
        return new BouncedRecipient(recipient, "failed", Replies.status(rec, fallback), Replies.diagnosticCode(rec));
    }
}
