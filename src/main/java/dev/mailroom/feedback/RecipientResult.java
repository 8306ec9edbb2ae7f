package dev.mailroom.feedback;

import java.util.Optional;

/**
 * One recipient's result in a delivery status notification (RFC 3464 §2.3).
 *
 * @param recipient      the Final-Recipient address (lower-cased domain, no angle brackets)
 * @param originalRecipient the Original-Recipient, when the report gives one (RFC 3461 ORCPT)
 * @param status         the enhanced status code (RFC 3463), e.g. {@code 5.1.1}
 * @param replyCode      the SMTP reply code from the Diagnostic-Code or failure text, e.g. 550
 * @param diagnostic     the remote server's words (Diagnostic-Code, or the failure text's line)
 * @param severity       decided by {@link StatusClassifier} alone
 */
public record RecipientResult(String recipient, Optional<String> originalRecipient, Action action,
        Optional<String> status, Optional<Integer> replyCode, Optional<String> diagnostic,
        Optional<String> remoteMta, Severity severity) {

    /** RFC 3464 §2.3.3's Action field; {@code UNKNOWN} when a non-standard bounce does not say. */
    public enum Action {
        FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED, UNKNOWN;

        static Action parse(String value) {
            if (value == null) {
                return UNKNOWN;
            }
            String token = value.trim().toLowerCase(java.util.Locale.ROOT);
            int space = token.indexOf(' ');
            token = space < 0 ? token : token.substring(0, space);
            return switch (token) {
                case "failed", "failure" -> FAILED;
                case "delayed" -> DELAYED;
                case "delivered" -> DELIVERED;
                case "relayed" -> RELAYED;
                case "expanded" -> EXPANDED;
                default -> UNKNOWN;
            };
        }
    }

    /** Whether the failure will go away by itself. */
    public enum Severity {
        /** 5.x.x / 5xx: sending again will fail the same way. */
        PERMANENT,
        /** 4.x.x / 4xx, or a delay: the same message might still get through. */
        TRANSIENT,
        /** 2.x.x: a positive report (delivered, relayed, expanded). */
        SUCCESS
    }
}
