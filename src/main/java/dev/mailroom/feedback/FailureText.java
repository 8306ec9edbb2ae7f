package dev.mailroom.feedback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain-text bounce split in two: the MTA's failure text, and the quoted original that follows it.
 * The boundary is found by shape, not by vendor: a separator line that announces the original
 * ("----- Original message -----", "--- Below this line is a copy of the message.", "Unsent
 * message follows", "original message headers:"…), or else the first run of lines that look like
 * RFC 5322 header fields and include the ones every message has.
 */
record FailureText(String failure, String quoted) {

    private static final Pattern SEPARATOR = Pattern.compile(
            "^[ \\t>]*(?:[-=*_#]{2,}.*)?(?:original|copy of|unsent|returned|undelivered|rejected|below this line|"
                    + "headers? (?:of|follow)|message follows|message headers|header of the|this is a copy|"
                    + "text of the message|your message (?:follows|headers)|attached message|"
                    + "元のメッセージ|原文|送信したメッセージ|メールヘッダ)[^\\n]*(?:[-=*_#]{2,}|:)[ \\t]*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private static final Pattern HEADER_LINE = Pattern.compile(
            "^(Received|Return-Path|From|To|Subject|Date|Message-ID|MIME-Version|Content-Type|DKIM-Signature|"
                    + "X-[A-Za-z-]+|Reply-To|Cc|Delivered-To|Authentication-Results):[ \\t]",
            Pattern.CASE_INSENSITIVE);

    static FailureText split(String text) {
        int cut = firstSeparator(text);
        int headers = firstHeaderRun(text, cut < 0 ? 0 : cut);
        if (cut < 0 && headers < 0) {
            return new FailureText(text, "");
        }
        int failureEnd = cut >= 0 ? cut : headers;
        int quotedStart = headers >= 0 ? headers : cut;
        return new FailureText(text.substring(0, failureEnd), text.substring(quotedStart));
    }

    private static int firstSeparator(String text) {
        Matcher m = SEPARATOR.matcher(text);
        return m.find() ? m.start() : -1;
    }

    /** Offset of the first line of at least three consecutive header-like lines, two of them common ones. */
    private static int firstHeaderRun(String text, int from) {
        String[] lines = text.substring(from).split("\n", -1);
        int offset = from;
        for (int i = 0; i < lines.length; i++) {
            int run = 0;
            int common = 0;
            for (int j = i; j < lines.length && run < 6; j++) {
                String line = lines[j].replace("\r", "");
                if (HEADER_LINE.matcher(line).find()) {
                    run++;
                    common++;
                } else if (run > 0 && (line.startsWith(" ") || line.startsWith("\t")) && !line.isBlank()) {
                    continue; // a folded continuation (RFC 5322 §2.2.3)
                } else if (run > 0 && line.matches("^[A-Za-z][A-Za-z0-9-]*:.*")) {
                    run++;
                } else {
                    break;
                }
            }
            if (run >= 3 && common >= 2) {
                return offset;
            }
            offset += lines[i].length() + 1;
        }
        return -1;
    }
}
