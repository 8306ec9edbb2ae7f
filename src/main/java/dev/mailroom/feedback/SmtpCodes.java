package dev.mailroom.feedback;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds SMTP reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463 §2) in free text. */
final class SmtpCodes {

    /*
     * RFC 3463 §2: class "." subject "." detail, class 2/4/5, subject and detail up to three digits.
     * Not preceded or followed by a digit or a dot, so IP addresses and version strings
     * (192.0.2.5, 8.14.4) do not match.
     */
    private static final Pattern ENHANCED = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.]*\\d)");

    /*
     * A reply code where servers and MTAs put one: at the start of a (quoted) line, or after
     * "said:", "smtp;", "error", "#", "(" or a colon, followed by a space, a hyphen (multi-line reply)
     * or the end. Codes are 2yz/4yz/5yz with y in 0..5 (RFC 5321 §4.2.1).
     */
    private static final Pattern REPLY = Pattern.compile(
            "(?:^|[\\s>:;#(\\[]|said:?|error:?)\\s*([245][0-5]\\d)(?=[ \\-]|$)(?![ \\-]?\\d{2,}[:.])",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private SmtpCodes() {
    }

    /** The first enhanced status code in the text, normalised (no leading zeros in subject/detail). */
    static Optional<String> enhanced(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = ENHANCED.matcher(text);
        while (m.find()) {
            int subject = Integer.parseInt(m.group(2));
            int detail = Integer.parseInt(m.group(3));
            if (subject <= 7) { // RFC 3463 §3 defines subjects 0..7; larger ones are not status codes
                return Optional.of(m.group(1) + "." + subject + "." + detail);
            }
        }
        return Optional.empty();
    }

    /** The first SMTP reply code in the text. */
    static Optional<Integer> reply(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = REPLY.matcher(text);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }
}
