package dev.mailroom.intake;

import dev.mailroom.job.HeaderField;
import java.util.Locale;
import java.util.Set;

/** Header names and values: what may reach a header line without letting a job inject another. */
final class HeaderRules {

    /** Headers Mailroom writes itself; a job may not set or override them. */
    private static final Set<String> RESERVED = Set.of("from", "sender", "to", "cc", "bcc", "reply-to", "subject",
            "date", "message-id", "mime-version", "return-path", "received", "content-type",
            "content-transfer-encoding", "content-disposition", "content-id",
            // The signer's own (RFC 6376), and the authentication results a receiver adds (RFC 8601, 8617).
            "dkim-signature", "authentication-results", "arc-seal", "arc-message-signature",
            "arc-authentication-results");

    private HeaderRules() {
    }

    /** CR and LF end a header line (injection); NUL and other controls have no business there either. */
    static void requireNoControlCharacters(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new JobRejectedException(field, "contains CR or LF (header injection)");
            }
            if (Character.isISOControl(c) && c != '\t') {
                throw new JobRejectedException(field, "contains a control character");
            }
        }
    }

    static void requireValue(String field, String value, int maxChars) {
        requireNoControlCharacters(field, value);
        if (value.length() > maxChars) {
            throw new JobRejectedException(field, "is longer than " + maxChars + " characters");
        }
    }

    /** RFC 5322 §3.6.8 ({@link HeaderField#isValidName}), at most 76 characters, none of Mailroom's own fields. */
    static void requireCustomHeaderName(String field, String name) {
        if (name.isEmpty() || name.length() > 76) {
            throw new JobRejectedException(field, "a header name must have 1 to 76 characters");
        }
        if (!HeaderField.isValidName(name)) {
            throw new JobRejectedException(field, "not a valid header name");
        }
        // DKIM lists signed names in h=, a tag of a ;-separated list (RFC 6376 §3.2): such a name cannot be signed.
        if (name.indexOf(';') >= 0) {
            throw new JobRejectedException(field, "a header name with ';' cannot be DKIM-signed");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        // Resent-* fields (RFC 5322 §3.6.6) would name recipients outside the envelope.
        if (RESERVED.contains(lower) || lower.startsWith("content-") || lower.startsWith("resent-")) {
            throw new JobRejectedException(field, "is set by Mailroom and cannot be overridden");
        }
    }
}
