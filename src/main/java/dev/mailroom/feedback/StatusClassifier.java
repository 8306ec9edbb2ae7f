package dev.mailroom.feedback;

import dev.mailroom.feedback.RecipientResult.Action;
import dev.mailroom.feedback.RecipientResult.Severity;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place that decides whether a reported failure is permanent or transient. In order of
 * trust: the enhanced status code's class (RFC 3463 §3.1: 2 success, 4 persistent transient,
 * 5 permanent), else the SMTP reply code's first digit (RFC 5321 §4.2.1), else the Action field
 * (RFC 3464 §2.3.3: "delayed" is not final), else the wording, else permanent: a report that
 * says a message failed without saying why is a failure notice, and MTAs send those once they
 * have given up.
 */
public final class StatusClassifier {

    /* Phrases MTAs use when the failure is temporary or the message is still queued. */
    private static final Pattern TRANSIENT_WORDING = Pattern.compile(
            "temporar|try(ing)? again|will (be )?retr|still (be )?(trying|retrying)|delayed|deferred|"
                    + "has not yet been delivered|retry time|timed? ?out|timeout|not yet been delivered|"
                    + "insufficient (disk|system)",
            Pattern.CASE_INSENSITIVE);

    private StatusClassifier() {
    }

    /** The severity of one recipient's result; {@code text} is the diagnostic or failure text. */
    public static Severity classify(Optional<String> status, Optional<Integer> replyCode, Action action, String text) {
        if (status.isPresent()) {
            return byClass(status.get().charAt(0));
        }
        if (replyCode.isPresent()) {
            return byClass(Integer.toString(replyCode.get()).charAt(0));
        }
        switch (action) {
            case DELIVERED, RELAYED, EXPANDED:
                return Severity.SUCCESS;
            case DELAYED:
                return Severity.TRANSIENT;
            default:
                break;
        }
        if (text != null && TRANSIENT_WORDING.matcher(text.toLowerCase(Locale.ROOT)).find()) {
            return Severity.TRANSIENT;
        }
        return Severity.PERMANENT;
    }

    private static Severity byClass(char digit) {
        return switch (digit) {
            case '2' -> Severity.SUCCESS;
            case '4' -> Severity.TRANSIENT;
            default -> Severity.PERMANENT;
        };
    }
}
