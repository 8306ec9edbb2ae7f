package dev.mailroom.deliver;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a recipient ended where it did: the SMTP reply a server gave, or Mailroom's own account
 * of a failure that produced no reply (DNS, connection, TLS, size), in the same shape.
 *
 * @param replyCode    the three-digit SMTP reply code, or {@code 0} when no server replied
 * @param enhancedCode the RFC 3463 enhanced status code (e.g. {@code 5.1.1}); taken from the
 *                     reply when the server sent one, otherwise Mailroom's closest code
 * @param text         the reply text (untrusted remote text, cleaned: no control characters,
 *                     at most {@value #MAX_TEXT_LENGTH} characters) or Mailroom's description
 */
public record Diagnosis(int replyCode, String enhancedCode, String text) {

    /** Remote replies are untrusted; they are capped before they reach a log or the ledger. */
    public static final int MAX_TEXT_LENGTH = 512;

    // RFC 3463 §2: class "." subject "." detail, at the start of the reply text.
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");
    // Compiled once: every recipient's reply goes through these.
    private static final Pattern SEPARATOR = Pattern.compile("^[ -]");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r?\\n");
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

    public Diagnosis {
        Objects.requireNonNull(enhancedCode, "enhancedCode");
        text = clean(text);
    }

    /**
     * Reads a server reply as Angus reports it (e.g. {@code "550 5.1.1 no such user"}, possibly
     * multi-line). The enhanced code is the server's when present, else derived from the reply
     * code's class ({@code X.0.0}).
     */
    public static Diagnosis ofReply(int replyCode, String serverResponse) {
        String text = serverResponse == null ? "" : serverResponse.strip();
        if (text.length() >= 3 && text.startsWith(Integer.toString(replyCode))) {
            text = SEPARATOR.matcher(text.substring(3)).replaceFirst("");
        }
        Matcher matcher = ENHANCED.matcher(text);
        if (matcher.find() && matcher.group(1).charAt(0) == Integer.toString(replyCode).charAt(0)) {
            return new Diagnosis(replyCode, matcher.group(0), text.substring(matcher.end()).strip());
        }
        return new Diagnosis(replyCode, (replyCode / 100) + ".0.0", text);
    }

    /** A failure with no SMTP reply behind it. */
    public static Diagnosis local(String enhancedCode, String text) {
        return new Diagnosis(0, enhancedCode, text);
    }

    public boolean hasReply() {
        return replyCode != 0;
    }

    private static String clean(String text) {
        if (text == null) {
            return "";
        }
        // Line breaks become spaces; other controls (C0 and C1), format characters such as bidi
        // overrides, and line/paragraph separators go.
        String printable = UNPRINTABLE.matcher(LINE_BREAK.matcher(text).replaceAll(" ")).replaceAll("").strip();
        return printable.length() <= MAX_TEXT_LENGTH ? printable : printable.substring(0, MAX_TEXT_LENGTH);
    }

    @Override
    public String toString() {
        return (hasReply() ? replyCode + " " : "") + enhancedCode + " " + text;
    }
}
