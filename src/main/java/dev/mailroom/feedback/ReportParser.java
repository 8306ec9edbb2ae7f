package dev.mailroom.feedback;

import dev.mailroom.feedback.InboundReport.AutoReply;
import dev.mailroom.feedback.InboundReport.DeliveryStatusNotification;
import dev.mailroom.feedback.InboundReport.NotAReport;
import dev.mailroom.feedback.InboundReport.Recognition;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an inbound message sent to the bounce domain and says what it is: a delivery status
 * notification, a feedback report, an auto-reply or none of these. The order of the checks is the
 * order of their certainty: machine-readable reports first (ARF, RFC 5965; then RFC 3464), then
 * auto-replies (RFC 3834), which must never pass for bounces, then plain-text bounces.
 *
 * <p>Pure: no I/O beyond the given stream, no clock, thread-safe. Never throws for a malformed
 * message; the worst answer is {@link NotAReport}.
 */
public final class ReportParser {

    /* Subjects MTAs give their bounces, in the languages of the corpus. */
    private static final Pattern FAILURE_SUBJECT = Pattern.compile(
            "undeliver|undelivered|delivery (status )?(notification|failure|report|problem)|returned mail|"
                    + "failure notice|mail delivery (failed|system|subsystem)|could not be delivered|"
                    + "delivery has failed|non-?deliver|not delivered|rejected|bounce|failed|failure|error|"
                    + "unzustellbar|nicht zustellbar|non remis|no entregado|warning|delayed|returned|unable to deliver|"
                    + "不達|エラー|未送達|配信",
            Pattern.CASE_INSENSITIVE);

    private final Session session = Session.getInstance(new Properties());

    public InboundReport parse(InputStream raw) throws IOException {
        return parse(raw.readAllBytes());
    }

    public InboundReport parse(byte[] raw) {
        MimeMessage message;
        try {
            message = new MimeMessage(session, new ByteArrayInputStream(raw));
        } catch (MessagingException | RuntimeException e) {
            return new NotAReport(List.of(), OriginalMessage.NONE);
        }
        List<Part> parts = Parts.flatten(message);
        List<String> addressedTo = addressedTo(message);
        FailureText text = FailureText.split(humanReadableText(parts));
        OriginalMessage original = OriginalMessages.from(parts, text.quoted());
        String subject = subject(message);

        Optional<? extends InboundReport> feedback = ArfReader.read(message, parts, addressedTo, original);
        if (feedback.isPresent()) {
            return feedback.get();
        }
        Optional<InboundReport> ses = SesNotificationReader.read(text.failure(), addressedTo, original);
        if (ses.isPresent()) {
            return ses.get();
        }
        Set<String> notRecipients = notRecipients(message, original);
        Optional<Part> status = Rfc3464Reader.statusPart(parts);
        if (status.isPresent()) {
            Rfc3464Reader.Fields fields = Rfc3464Reader.read(status.get());
            List<RecipientResult> recipients = fields.recipients().isEmpty()
                    ? PlainTextBounceReader.read(text.failure(), failedRecipients(message), notRecipients, original.to())
                    : fields.recipients();
            return new DeliveryStatusNotification(fields.reportingMta(), recipients, Recognition.RFC3464, addressedTo,
                    original);
        }
        boolean fromSystem = fromSystem(message);
        boolean failureSubject = FAILURE_SUBJECT.matcher(subject).find();
        List<String> named = failedRecipients(message);
        // Exim, Gmail and Exchange mark their bounces "Auto-Submitted: auto-replied" (RFC 3834 §5
        // asks for auto-generated), so that header alone cannot make an auto-reply of a message that
        // a system mailbox sent under a failure subject, or that names its failed recipients.
        boolean bounceShape = (fromSystem && failureSubject) || !named.isEmpty();
        Optional<String> autoReply = AutoReplies.evidence(message, subject);
        if (autoReply.isPresent() && !bounceShape) {
            return new AutoReply(autoReply.get(), addressedTo, original);
        }
        if (fromSystem || failureSubject || bounceShape) {
            List<RecipientResult> recipients = PlainTextBounceReader.read(text.failure(), named, notRecipients,
                    original.to());
            if (!recipients.isEmpty() || bounceShape) {
                return new DeliveryStatusNotification(Optional.empty(), recipients, Recognition.PLAIN_TEXT,
                        addressedTo, original);
            }
        }
        return new NotAReport(addressedTo, original);
    }

    /** Where the report was delivered, most specific first (the VERP address is among these). */
    private static List<String> addressedTo(MimeMessage message) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : List.of("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")) {
            for (String value : headers(message, name)) {
                out.addAll(Addresses.header(value));
            }
        }
        return new ArrayList<>(out);
    }

    /** Exim's list of the recipients that failed (its own header, not a standard one). */
    private static List<String> failedRecipients(MimeMessage message) {
        List<String> out = new ArrayList<>();
        for (String value : headers(message, "X-Failed-Recipients")) {
            out.addAll(Addresses.in(value));
        }
        return out;
    }

    private static Set<String> notRecipients(MimeMessage message, OriginalMessage original) {
        // Not Delivered-To / X-Original-To: some MTAs (DragonFly) put the failed recipient there.
        Set<String> out = new HashSet<>();
        for (String name : List.of("To", "Cc", "From", "Sender", "Reply-To", "Return-Path")) {
            for (String value : headers(message, name)) {
                Addresses.in(value).forEach(a -> out.add(a.toLowerCase(Locale.ROOT)));
            }
        }
        original.from().ifPresent(a -> out.add(a.toLowerCase(Locale.ROOT)));
        original.returnPath().ifPresent(a -> out.add(a.toLowerCase(Locale.ROOT)));
        return out;
    }

    /** RFC 3464 §2 / RFC 5321 §4.5.5: reports come from a null reverse path or a system mailbox. */
    private static boolean fromSystem(MimeMessage message) {
        for (String value : headers(message, "Return-Path")) {
            if (value.replaceAll("[\\s<>]", "").isEmpty()) {
                return true;
            }
        }
        for (String value : headers(message, "From")) {
            if (Addresses.in(value).stream().anyMatch(Addresses::isSystem)
                    || value.toLowerCase(Locale.ROOT).matches(".*(mailer-daemon|mail delivery|postmaster).*")) {
                return true;
            }
        }
        return false;
    }

    /** The text a person would read: the text/plain parts, else the text/html ones without their tags. */
    private static String humanReadableText(List<Part> parts) {
        StringBuilder plain = new StringBuilder();
        StringBuilder html = new StringBuilder();
        for (Part part : parts) {
            String type = Parts.mediaType(part);
            if (type.equals("text/plain")) {
                plain.append(Parts.text(part)).append('\n');
            } else if (type.equals("text/html")) {
                html.append(Parts.text(part).replaceAll("(?is)<(script|style).*?</\\1>", " ")
                        .replaceAll("(?i)<br\\s*/?>|</p>|</tr>|</div>", "\n").replaceAll("<[^>]+>", " ")
                        .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
                        .append('\n');
            }
        }
        return plain.length() > 0 ? plain.toString() : html.toString();
    }

    private static String subject(MimeMessage message) {
        try {
            String subject = message.getSubject();
            return subject == null ? "" : subject;
        } catch (MessagingException e) {
            return "";
        }
    }

    private static List<String> headers(MimeMessage message, String name) {
        try {
            String[] values = message.getHeader(name);
            return values == null ? List.of() : List.of(values);
        } catch (MessagingException e) {
            return List.of();
        }
    }
}
