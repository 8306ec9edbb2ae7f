package dev.mailroom.intake;

import dev.mailroom.job.HeaderField;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The allow-list for a message the application built itself (raw mode): its header fields that say
 * who the message is from must name allowed domains, as the job's {@code from} and
 * {@code envelopeFrom} must. Otherwise a raw job could send as anyone, whatever its envelope says.
 *
 * <ul>
 *   <li>{@code From} (RFC 5322 §3.6.2): the author(s), what recipients see and DMARC aligns on;</li>
 *   <li>{@code Sender}: the agent responsible for sending, shown as "on behalf of";</li>
 *   <li>{@code Resent-From}, {@code Resent-Sender} (§3.6.6): who re-sent the message — for mail that
 *       leaves through this queue, that is this deployment's sender, never another domain.</li>
 * </ul>
 *
 * Every occurrence counts, and every mailbox in each. Fields that name no sender (Reply-To, To…)
 * are not the allow-list's business.
 */
final class SenderFieldRules {

    /** Lower-case field name → how a rejection names it. */
    private static final Map<String, String> SENDER_FIELDS = Map.of("from", "From", "sender", "Sender",
            "resent-from", "Resent-From", "resent-sender", "Resent-Sender");

    private final SenderPolicy senders;

    SenderFieldRules(SenderPolicy senders) {
        this.senders = senders;
    }

    /** @throws JobRejectedException naming the field, e.g. {@code raw From: domain is not in …} */
    void check(List<HeaderField> fields) {
        for (HeaderField field : fields) {
            String name = SENDER_FIELDS.get(field.name().toLowerCase(Locale.ROOT));
            if (name == null) {
                continue;
            }
            String label = "raw " + name;
            for (InternetAddress mailbox : AddressRules.parseList(label, MimeUtility.unfold(field.value()))) {
                // DMARC aligns with From (RFC 7489 §3.1): the field a signature must match.
                Optional<String> refused = name.equals("From") ? senders.refusesFrom(mailbox.getAddress())
                        : senders.allows(mailbox.getAddress()) ? Optional.empty()
                        : Optional.of("domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
                if (refused.isPresent()) {
                    throw new JobRejectedException(label, refused.get());
                }
            }
        }
    }
}
