package dev.mailroom.feedback;

import jakarta.mail.Part;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises automatic responses (RFC 3834) so they are never taken for bounces: the
 * Auto-Submitted header (§5), the vendor headers that preceded it, and vacation subjects.
 * "auto-generated" is not enough on its own: RFC 3834 §5.1 has DSNs carry it too.
 */
final class AutoReplies {

    private static final Pattern VACATION_SUBJECT = Pattern.compile(
            "^(auto(matic)?[ -]?(reply|response|respons|antwort)|out of (the )?office|vacation|abwesenheit|"
                    + "absence|away from|autoreply|respuesta autom|r[ée]ponse automatique|risposta automatica|"
                    + "on leave|ooo\\b|自動)",
            Pattern.CASE_INSENSITIVE);

    private AutoReplies() {
    }

    /** What shows the message to be an auto-reply, or empty. */
    static Optional<String> evidence(Part top, String subject) {
        Optional<String> autoSubmitted = ArfReader.header(top, "Auto-Submitted")
                .map(v -> v.trim().toLowerCase(Locale.ROOT));
        if (autoSubmitted.filter(v -> v.startsWith("auto-replied")).isPresent()) {
            return Optional.of("Auto-Submitted: auto-replied");
        }
        for (String name : new String[] {"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Vacation"}) {
            if (ArfReader.header(top, name).isPresent()) {
                return Optional.of(name);
            }
        }
        Optional<String> precedence = ArfReader.header(top, "Precedence").map(v -> v.trim().toLowerCase(Locale.ROOT));
        if (precedence.filter(v -> v.equals("auto_reply") || v.equals("auto-reply")).isPresent()) {
            return Optional.of("Precedence: " + precedence.get());
        }
        if (ArfReader.header(top, "X-Auto-Response-Suppress").isPresent() && VACATION_SUBJECT.matcher(subject).find()) {
            return Optional.of("X-Auto-Response-Suppress and subject");
        }
        if (VACATION_SUBJECT.matcher(subject.trim()).find()) {
            return Optional.of("subject");
        }
        return Optional.empty();
    }
}
