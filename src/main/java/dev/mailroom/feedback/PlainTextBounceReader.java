package dev.mailroom.feedback;

import dev.mailroom.feedback.RecipientResult.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a bounce written in an MTA's own words (qmail, Exim, old Sendmail, Exchange, Yahoo…): the
 * recipients are the addresses in the failure text that are neither the report's sender nor its
 * addressee, and each one's codes are the first reply code and enhanced status code that follow it
 * before the next recipient (or, when none does, the first in the whole failure text). Exim's
 * X-Failed-Recipients header, when present, names the recipients outright.
 */
final class PlainTextBounceReader {

    /** Lines this far after an address still describe it (qmail and Exim put the reply on the next lines). */
    private static final int CONTEXT_LINES = 8;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private PlainTextBounceReader() {
    }

    /**
     * @param failure      the failure text (quoted original removed)
     * @param named        recipients a header names outright (X-Failed-Recipients), may be empty
     * @param notRecipients the report's own sender and addressees, the original's sender
     * @param originalTo   the returned original's To and Cc, to prefer among many candidates
     */
    static List<RecipientResult> read(String failure, List<String> named, Set<String> notRecipients,
            List<String> originalTo) {
        String[] lines = failure.replace("\r", "").split("\n", -1);
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            for (String address : Addresses.in(lines[i])) {
                if (!notRecipients.contains(address.toLowerCase(java.util.Locale.ROOT)) && !Addresses.isSystem(address)
                        && !lines[i].matches("(?i)^\\s*(from|reply-to|sender|return-path|x-[\\w-]+):.*")) {
                    firstLine.putIfAbsent(address, i);
                }
            }
        }
        List<String> chosen = choose(new ArrayList<>(firstLine.keySet()), named, originalTo);
        List<RecipientResult> results = new ArrayList<>();
        for (String recipient : chosen) {
            int line = firstLine.getOrDefault(recipient, -1);
            results.add(result(recipient, context(lines, line, firstLine), failure));
        }
        return results;
    }

    private static List<String> choose(List<String> candidates, List<String> named, List<String> originalTo) {
        if (!named.isEmpty()) {
            return named;
        }
        List<String> inOriginal = candidates.stream()
                .filter(c -> originalTo.stream().anyMatch(t -> t.equalsIgnoreCase(c))).toList();
        return !inOriginal.isEmpty() ? inOriginal : candidates.stream().limit(20).toList();
    }

    /** The recipient's line and those after it, up to the next line naming another candidate. */
    private static String context(String[] lines, int start, Map<String, Integer> firstLine) {
        if (start < 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(lines[start]);
        for (int i = start + 1; i < lines.length && i <= start + CONTEXT_LINES; i++) {
            final int index = i;
            if (firstLine.values().stream().anyMatch(l -> l == index)) {
                break;
            }
            text.append('\n').append(lines[i]);
        }
        return text.toString();
    }

    private static RecipientResult result(String recipient, String context, String failure) {
        Optional<String> status = SmtpCodes.enhanced(context);
        Optional<Integer> reply = SmtpCodes.reply(context.substring(Math.min(context.length(), recipientEnd(context, recipient))))
                .or(() -> SmtpCodes.reply(context));
        String evidence = context;
        if (status.isEmpty() && reply.isEmpty()) {
            status = SmtpCodes.enhanced(failure);
            reply = SmtpCodes.reply(failure);
            evidence = failure;
        }
        Optional<String> diagnostic = diagnostic(evidence);
        return new RecipientResult(recipient, Optional.empty(), Action.FAILED, status, reply, diagnostic,
                Optional.empty(), StatusClassifier.classify(status, reply, Action.FAILED, evidence));
    }

    private static int recipientEnd(String context, String recipient) {
        int at = context.toLowerCase(java.util.Locale.ROOT).indexOf(recipient.toLowerCase(java.util.Locale.ROOT));
        return at < 0 ? 0 : at + recipient.length();
    }

    /** The failure in one line: the text from the first code on, or the whole context, whitespace folded. */
    private static Optional<String> diagnostic(String evidence) {
        Matcher code = Pattern.compile("(?<!\\d)[245][0-5]\\d[ -]").matcher(evidence);
        String text = code.find() ? evidence.substring(code.start()) : evidence;
        text = WHITESPACE.matcher(text).replaceAll(" ").trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(text.length() > 500 ? text.substring(0, 500) : text);
    }
}
