package dev.mailroom.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.feedback.InboundReport.DeliveryStatusNotification;
import dev.mailroom.feedback.InboundReport.FeedbackReport;
import dev.mailroom.feedback.InboundReport.Recognition;
import dev.mailroom.feedback.RecipientResult.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An Amazon SES notification delivered by email (SNS email subscription): a JSON body whose
 * {@code notificationType} is Bounce, Complaint or Delivery, in the shape documented at
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html.
 */
final class SesNotificationReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SesNotificationReader() {
    }

    static Optional<InboundReport> read(String body, List<String> addressedTo, OriginalMessage original) {
        int start = body.indexOf('{');
        if (start < 0 || !body.contains("\"notificationType\"")) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(body.substring(start, body.lastIndexOf('}') + 1).replaceAll("\\r?\\n ?", ""));
        } catch (Exception e) { // malformed JSON: not a notification after all
            return Optional.empty();
        }
        OriginalMessage mail = root.path("mail").isObject() ? fromMail(root.path("mail"), original) : original;
        return switch (root.path("notificationType").asText()) {
            case "Complaint" -> Optional.of(new FeedbackReport(
                    root.path("complaint").path("complaintFeedbackType").asText("abuse"),
                    Optional.ofNullable(root.path("complaint").path("userAgent").textValue()), mail.from(),
                    addresses(root.path("complaint").path("complainedRecipients")), List.of(), Optional.empty(),
                    addressedTo, mail));
            case "Bounce" -> Optional.of(bounce(root.path("bounce"), addressedTo, mail));
            case "Delivery" -> Optional.of(delivery(root.path("delivery"), addressedTo, mail));
            default -> Optional.empty();
        };
    }

    private static DeliveryStatusNotification bounce(JsonNode bounce, List<String> addressedTo, OriginalMessage mail) {
        List<RecipientResult> results = new ArrayList<>();
        for (JsonNode r : bounce.path("bouncedRecipients")) {
            Optional<String> diagnostic = Optional.ofNullable(r.path("diagnosticCode").textValue());
            Optional<String> status = Optional.ofNullable(r.path("status").textValue()).flatMap(SmtpCodes::enhanced)
                    .or(() -> diagnostic.flatMap(SmtpCodes::enhanced));
            Optional<Integer> reply = diagnostic.flatMap(SmtpCodes::reply);
            Action action = Action.parse(r.path("action").asText("failed"));
            results.add(new RecipientResult(Addresses.normalise(r.path("emailAddress").asText()), Optional.empty(),
                    action, status, reply, diagnostic, Optional.empty(),
                    StatusClassifier.classify(status, reply, action, bounce.path("bounceType").asText(""))));
        }
        return new DeliveryStatusNotification(Optional.ofNullable(bounce.path("reportingMTA").textValue()), results,
                Recognition.SES_NOTIFICATION, addressedTo, mail);
    }

    private static DeliveryStatusNotification delivery(JsonNode delivery, List<String> addressedTo,
            OriginalMessage mail) {
        List<RecipientResult> results = new ArrayList<>();
        Optional<String> response = Optional.ofNullable(delivery.path("smtpResponse").textValue());
        for (JsonNode r : delivery.path("recipients")) {
            Optional<String> status = response.flatMap(SmtpCodes::enhanced);
            Optional<Integer> reply = response.flatMap(SmtpCodes::reply);
            results.add(new RecipientResult(Addresses.normalise(r.asText()), Optional.empty(), Action.DELIVERED,
                    status, reply, response, Optional.ofNullable(delivery.path("remoteMtaIp").textValue()),
                    StatusClassifier.classify(status, reply, Action.DELIVERED, "")));
        }
        return new DeliveryStatusNotification(Optional.ofNullable(delivery.path("reportingMTA").textValue()), results,
                Recognition.SES_NOTIFICATION, addressedTo, mail);
    }

    private static List<String> addresses(JsonNode recipients) {
        List<String> out = new ArrayList<>();
        recipients.forEach(r -> out.add(Addresses.normalise(r.path("emailAddress").asText())));
        return out;
    }

    private static OriginalMessage fromMail(JsonNode mail, OriginalMessage fallback) {
        Optional<String> messageId = Optional.ofNullable(mail.path("messageId").textValue());
        List<String> to = new ArrayList<>();
        mail.path("destination").forEach(d -> to.add(Addresses.normalise(d.asText())));
        return new OriginalMessage(messageId.or(fallback::messageId), fallback.returnPath(),
                Optional.ofNullable(mail.path("source").textValue()).or(fallback::from), to,
                Optional.ofNullable(mail.path("commonHeaders").path("subject").textValue()).or(fallback::subject),
                fallback.headers());
    }
}
