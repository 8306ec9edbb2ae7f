package dev.mailroom.compose;

import dev.mailroom.job.HeaderField;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/** A {@link ComposedMessage}: its identity and measurements, and how to make each transaction's instance. */
record Composed(String messageId, WireSize wire, boolean smtpUtf8, List<HeaderField> storedHeaders, Factory factory)
        implements ComposedMessage {

    /** Makes one instance of the message; every one writes the same bytes. */
    @FunctionalInterface
    interface Factory {
        SMTPMessage create(Session session) throws MessagingException;
    }

    Composed {
        storedHeaders = List.copyOf(storedHeaders);
    }

    @Override
    public long size() {
        return wire.bytes();
    }

    @Override
    public boolean eightBit() {
        return wire.eightBit();
    }

    @Override
    public SMTPMessage newInstance(Session session) throws MessagingException {
        return factory.create(session);
    }
}
