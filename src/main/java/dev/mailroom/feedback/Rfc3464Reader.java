package dev.mailroom.feedback;

import dev.mailroom.feedback.RecipientResult.Action;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.angus.mail.dsn.DeliveryStatus;

/**
 * Reads the message/delivery-status part of an RFC 3464 report with Angus's {@link DeliveryStatus}:
 * one per-message block, then one block per recipient (RFC 3464 §2.1). Blocks are taken by what
 * they hold rather than by position, because some MTAs run the per-message and first per-recipient
 * fields together or open with a blank line.
 */
final class Rfc3464Reader {

    private Rfc3464Reader() {
    }

    /** The delivery-status part, if the message has one (RFC 6533's message/global-delivery-status too). */
    static Optional<Part> statusPart(List<Part> parts) {
        return parts.stream().filter(p -> {
            String type = Parts.mediaType(p);
            return type.equals("message/delivery-status") || type.equals("message/global-delivery-status");
        }).findFirst();
    }

    record Fields(Optional<String> reportingMta, List<RecipientResult> recipients) {
    }

    static Fields read(Part statusPart) {
        List<InternetHeaders> blocks = blocks(Parts.bytes(statusPart));
        Optional<String> reportingMta = Optional.empty();
        List<RecipientResult> recipients = new ArrayList<>();
        for (InternetHeaders block : blocks) {
            if (reportingMta.isEmpty()) {
                reportingMta = typedValue(block, "Reporting-MTA");
            }
            recipient(block).ifPresent(recipients::add);
        }
        return new Fields(reportingMta, recipients);
    }

    private static List<InternetHeaders> blocks(byte[] bytes) {
        List<InternetHeaders> blocks = new ArrayList<>();
        try {
            DeliveryStatus status = new DeliveryStatus(new ByteArrayInputStream(bytes));
            blocks.add(status.getMessageDSN());
            for (int i = 0; i < status.getRecipientDSNCount(); i++) {
                blocks.add(status.getRecipientDSN(i));
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            // Unparsable status fields: the caller falls back to reading the failure text.
        }
        return blocks;
    }

    private static Optional<RecipientResult> recipient(InternetHeaders block) {
        Optional<String> finalRecipient = value(block, "Final-Recipient").flatMap(Addresses::typed);
        Optional<String> originalRecipient = value(block, "Original-Recipient").flatMap(Addresses::typed);
        Optional<String> recipient = finalRecipient.or(() -> originalRecipient);
        if (recipient.isEmpty()) {
            return Optional.empty();
        }
        Action action = Action.parse(value(block, "Action").orElse(null));
        Optional<String> diagnostic = typedValue(block, "Diagnostic-Code");
        // RFC 3464 §2.3.4: Status is required; some MTAs write "5.1.1 (user unknown)" or leave it out.
        Optional<String> status = value(block, "Status").flatMap(SmtpCodes::enhanced)
                .or(() -> diagnostic.flatMap(SmtpCodes::enhanced));
        Optional<String> specific = diagnostic.flatMap(SmtpCodes::enhanced);
        if (status.isPresent() && specific.isPresent() && status.get().endsWith(".0.0")
                && specific.get().charAt(0) == status.get().charAt(0)) {
            status = specific; // a generic X.0.0 beside the server's own, more specific code
        }
        Optional<Integer> reply = diagnostic.flatMap(SmtpCodes::reply);
        return Optional.of(new RecipientResult(recipient.get(), originalRecipient.filter(o -> !o.equals(recipient.get())),
                action, status, reply, diagnostic, typedValue(block, "Remote-MTA"),
                StatusClassifier.classify(status, reply, action, diagnostic.orElse(""))));
    }

    private static Optional<String> value(InternetHeaders block, String name) {
        String value = block.getHeader(name, " ");
        return value == null || value.isBlank() ? Optional.empty()
                : Optional.of(value.replaceAll("\\r?\\n[ \\t]*", " ").trim());
    }

    /** A "type; value" field (RFC 3464 §2.1.2) without its type. */
    private static Optional<String> typedValue(InternetHeaders block, String name) {
        return value(block, name).map(v -> {
            int semicolon = v.indexOf(';');
            return semicolon < 0 ? v : v.substring(semicolon + 1).trim();
        }).filter(v -> !v.isEmpty());
    }
}
