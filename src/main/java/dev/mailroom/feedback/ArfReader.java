package dev.mailroom.feedback;

import dev.mailroom.feedback.InboundReport.FeedbackReport;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Feedback reports: the Abuse Reporting Format (RFC 5965 §3: a message/feedback-report part of
 * machine-readable fields), and the two older shapes still seen: Microsoft's JMRP (the complained-of
 * message attached, its recipient in X-HmXmrOriginalRecipient) and Apple Mail's unsubscribe
 * request (X-Apple-Unsubscribe, an opt-out).
 */
final class ArfReader {

    private ArfReader() {
    }

    static Optional<FeedbackReport> read(Part top, List<Part> parts, List<String> addressedTo, OriginalMessage original) {
        Optional<Part> report = parts.stream().filter(p -> Parts.mediaType(p).equals("message/feedback-report"))
                .findFirst();
        if (report.isPresent()) {
            return Optional.of(arf(report.get(), addressedTo, original));
        }
        Optional<String> jmrpRecipient = original.header("X-HmXmrOriginalRecipient");
        if (jmrpRecipient.isPresent()) {
            return Optional.of(new FeedbackReport("abuse", Optional.of("Microsoft JMRP"), original.returnPath(),
                    Addresses.in(jmrpRecipient.get()), List.of(), original.header("X-Reporter-IP"), addressedTo,
                    original));
        }
        if (header(top, "X-Apple-Unsubscribe").filter(v -> v.trim().equalsIgnoreCase("true")).isPresent()) {
            return Optional.of(new FeedbackReport("opt-out", Optional.of("Apple Mail"), Optional.empty(),
                    header(top, "From").map(Addresses::header).orElse(List.of()), List.of(), Optional.empty(),
                    addressedTo, original));
        }
        return Optional.empty();
    }

    private static FeedbackReport arf(Part report, List<String> addressedTo, OriginalMessage original) {
        InternetHeaders fields = fields(Parts.bytes(report));
        // RFC 5965 §3.1: Feedback-Type is required; "abuse" is the meaning a missing one has in practice.
        String type = first(fields, "Feedback-Type").map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse("abuse");
        List<String> recipients = new ArrayList<>();
        for (String name : List.of("Original-Rcpt-To", "Removal-Recipient")) {
            String[] values = fields.getHeader(name);
            if (values != null) {
                for (String value : values) {
                    recipients.addAll(Addresses.in(value));
                }
            }
        }
        if (recipients.isEmpty()) {
            recipients.addAll(original.to()); // §3.1 makes Original-Rcpt-To optional; the returned To is next best
        }
        List<String> domains = new ArrayList<>();
        String[] reported = fields.getHeader("Reported-Domain");
        if (reported != null) {
            for (String domain : reported) {
                domains.add(domain.trim().toLowerCase(Locale.ROOT));
            }
        }
        Optional<String> mailFrom = first(fields, "Original-Mail-From").flatMap(v -> Addresses.in(v).stream().findFirst())
                .or(original::returnPath);
        return new FeedbackReport(type, first(fields, "User-Agent"), mailFrom, recipients, domains,
                first(fields, "Source-IP").map(String::trim), addressedTo, original);
    }

    private static InternetHeaders fields(byte[] bytes) {
        try {
            int start = 0;
            while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n')) {
                start++;
            }
            return new InternetHeaders(new ByteArrayInputStream(bytes, start, bytes.length - start));
        } catch (MessagingException e) {
            return new InternetHeaders();
        }
    }

    private static Optional<String> first(InternetHeaders fields, String name) {
        String value = fields.getHeader(name, null);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    static Optional<String> header(Part part, String name) {
        try {
            String[] values = part.getHeader(name);
            return values == null || values.length == 0 ? Optional.empty() : Optional.of(values[0]);
        } catch (MessagingException e) {
            return Optional.empty();
        }
    }
}
