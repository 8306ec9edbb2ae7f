package dev.mailroom.feedback;

import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Recovers the original message's headers from a report: a message/rfc822 (or message/global) part,
 * a text/rfc822-headers part (RFC 6522 §4), or a header block quoted in the text.
 */
final class OriginalMessages {

    private OriginalMessages() {
    }

    /** The returned original, from its attached part if there is one, else from quoted text. */
    static OriginalMessage from(List<Part> parts, String quotedText) {
        for (Part part : parts.subList(1, parts.size())) {
            String type = Parts.mediaType(part);
            if (type.equals("message/rfc822") || type.equals("message/global") || type.equals("text/rfc822-headers")
                    || type.equals("message/rfc822-headers") || type.equals("message/global-headers")) {
                OriginalMessage original = of(Parts.bytes(part));
                if (!original.headers().isEmpty()) {
                    return original;
                }
            }
        }
        return quotedText == null || quotedText.isEmpty() ? OriginalMessage.NONE
                : of(quotedText.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a header block (the text up to the first empty line); stray non-header lines are skipped. */
    static OriginalMessage of(byte[] headerBlock) {
        List<OriginalMessage.Header> headers = new ArrayList<>();
        try {
            InternetHeaders parsed = new InternetHeaders(new ByteArrayInputStream(stripLeadingBlankLines(headerBlock)));
            for (Header header : Collections.list(parsed.getAllHeaders())) {
                String value = header.getValue() == null ? "" : header.getValue().replaceAll("\\r?\\n[ \\t]*", " ").trim();
                if (!header.getName().isBlank() && !header.getName().contains(" ")) {
                    headers.add(new OriginalMessage.Header(header.getName(), value));
                }
            }
        } catch (MessagingException | RuntimeException e) {
            return OriginalMessage.NONE;
        }
        return of(headers);
    }

    private static OriginalMessage of(List<OriginalMessage.Header> headers) {
        OriginalMessage bare = new OriginalMessage(Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), headers);
        Optional<String> messageId = bare.header("Message-ID").map(String::trim).filter(v -> !v.isEmpty());
        Optional<String> returnPath = bare.header("Return-Path").flatMap(v -> Addresses.in(v).stream().findFirst());
        Optional<String> from = bare.header("From").flatMap(v -> Addresses.header(v).stream().findFirst());
        List<String> to = new ArrayList<>(bare.header("To").map(Addresses::header).orElse(List.of()));
        bare.header("Cc").map(Addresses::header).ifPresent(to::addAll);
        Optional<String> subject = bare.header("Subject").map(OriginalMessages::decoded);
        return new OriginalMessage(messageId, returnPath, from, to, subject, headers);
    }

    private static String decoded(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }

    private static byte[] stripLeadingBlankLines(byte[] block) {
        int start = 0;
        while (start < block.length && (block[start] == '\r' || block[start] == '\n' || block[start] == ' ')) {
            start++;
        }
        return java.util.Arrays.copyOfRange(block, start, block.length);
    }
}
