package dev.mailroom.events;

import dev.mailroom.events.SesDetails.BouncedRecipient;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.feedback.RecipientResult.Severity;
import java.util.Locale;

/** The bounce of a recipient that a delivery status notification reported after its delivery. */
final class ReportBounces {

    private ReportBounces() {
    }

    /**
     * From the report's status and the feedback classifier's verdict; a plain-text bounce that gave
     * neither a status code nor a reply code is {@code Undetermined}.
     */
    static BounceKind kind(RecipientResult result) {
        if (result.status().isEmpty() && result.replyCode().isEmpty()) {
            return BounceKinds.undetermined();
        }
        return BounceKinds.of(result.status(), result.severity() == Severity.PERMANENT);
    }

    /**
     * The report's own fields, as SES copies them from the DSN: Action (lower case, RFC 3464
     * §2.3.3), Status, and the Diagnostic-Code, which SES leaves out when the report has none.
     */
    static BouncedRecipient recipient(String recipient, RecipientResult result) {
        String action = result.action() == RecipientResult.Action.UNKNOWN ? "failed"
                : result.action().name().toLowerCase(Locale.ROOT);
        String status = result.status().orElse(result.severity() == Severity.PERMANENT ? "5.0.0" : "4.0.0");
        String diagnostic = result.diagnostic().map(words -> words.regionMatches(true, 0, "smtp;", 0, 5) ? words
                : "smtp; " + result.replyCode().map(code -> code + " ").orElse("") + words).orElse(null);
        return new BouncedRecipient(recipient, action, status, diagnostic);
    }
}
