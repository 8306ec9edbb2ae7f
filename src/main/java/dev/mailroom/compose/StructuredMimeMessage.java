package dev.mailroom.compose;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/** A composed message whose Message-ID stays the one Mailroom chose, whatever saves it. */
final class StructuredMimeMessage extends SMTPMessage {

    private final String messageId;

    StructuredMimeMessage(Session session, String messageId) {
        super(session);
        this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", messageId);
    }
}
