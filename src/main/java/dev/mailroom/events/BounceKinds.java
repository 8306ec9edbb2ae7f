package dev.mailroom.events;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which SES bounce kind a failure is: the one place that decides it, as a table over the enhanced
 * status code (RFC 3463) read with SES's own definitions ("Bounce types" in "Contents of event
 * data that Amazon SES publishes to Amazon SNS"):
 *
 * <ul>
 *   <li>X.1.1 (no such mailbox), X.1.2 (no such domain), X.1.10 (null MX, RFC 7505): the address
 *       "does not exist", SES's {@code NoEmail}. SES's own example, and bounces SES sends in real
 *       life, label a 5.1.1 {@code Permanent/General}; both are Permanent, so a consumer removing
 *       addresses on Permanent bounces treats them alike.</li>
 *   <li>X.2.2 mailbox full → {@code MailboxFull}; X.2.3 and X.3.4 (message too big) →
 *       {@code MessageTooLarge}; X.6.x (media, conversion) and X.7.x (security and policy: spam,
 *       DMARC, "not authorised") → {@code ContentRejected}. SES lists these subtypes only under
 *       Transient — another message might get through — so they are Transient even after a 5xx
 *       that ended the recipient FAILED in the ledger.</li>
 *   <li>Anything else: {@code General}, Permanent after a permanent failure, Transient after one
 *       that only stopped being retried (an EXPIRED recipient: "Transient bounces are sent when a
 *       message has soft bounced several times, and Amazon SES has stopped trying").</li>
 *   <li>No status code and no verdict at all: {@code Undetermined}.</li>
 * </ul>
 *
 * SES's {@code Suppressed} (SES's global list across all its customers) and
 * {@code AttachmentRejected} (no enhanced status code says "attachment") are never produced.
 */
public final class BounceKinds {

    private record Rule(Pattern subjectDetail, BounceKind kind) {
    }

    /** Subject.detail of the enhanced code (the class is the verdict, decided elsewhere) → kind. */
    private static final List<Rule> RULES = List.of(
            rule("1\\.(1|2|10)", BounceKind.PERMANENT_NO_EMAIL),
            rule("2\\.2", BounceKind.TRANSIENT_MAILBOX_FULL),
            rule("2\\.3|3\\.4", BounceKind.TRANSIENT_MESSAGE_TOO_LARGE),
            rule("6\\.\\d{1,3}|7\\.\\d{1,3}", BounceKind.TRANSIENT_CONTENT_REJECTED));

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.(\\d{1,3}\\.\\d{1,3})");

    private BounceKinds() {
    }

    /** A recipient on the suppression list, never sent to. */
    public static BounceKind suppressed() {
        return BounceKind.PERMANENT_ON_ACCOUNT_SUPPRESSION_LIST;
    }

    /**
     * @param enhancedCode the failure's enhanced status code ({@code 5.1.1}), if it had one
     * @param permanent    whether the failure was permanent (a 5xx, a report's failed action), or
     *                     delivery was given up after transient ones
     */
    public static BounceKind of(Optional<String> enhancedCode, boolean permanent) {
        Optional<String> subjectDetail = enhancedCode.map(String::trim).map(ENHANCED::matcher)
                .filter(java.util.regex.Matcher::matches).map(matcher -> matcher.group(1));
        BounceKind matched = subjectDetail.flatMap(code -> RULES.stream()
                .filter(rule -> rule.subjectDetail().matcher(code).matches()).map(Rule::kind).findFirst())
                .orElse(BounceKind.PERMANENT_GENERAL);
        if (matched.type().equals("Transient")) {
            return matched;
        }
        return permanent ? matched : BounceKind.TRANSIENT_GENERAL;
    }

    /** A report that says neither a status code nor whether the failure is permanent. */
    public static BounceKind undetermined() {
        return BounceKind.UNDETERMINED;
    }

    private static Rule rule(String subjectDetail, BounceKind kind) {
        return new Rule(Pattern.compile(subjectDetail), kind);
    }
}
