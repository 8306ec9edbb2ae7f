package dev.mailroom.deliver;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One SMTP connection to one {@link SmtpSession.Target}: the Angus transport, the deadline that
 * can cut its sockets, and what a connection cache needs to know about it. Used by one
 * transaction at a time.
 */
final class SmtpConnection {

    private final SmtpSession.Target target;
    private final Transport transport;
    private final ConnectionDeadline deadline;
    private final long openedNanos = System.nanoTime();
    private int transactions;

    SmtpConnection(Session session, SmtpSession.Target target, TlsPolicy policy, ScheduledExecutorService timers) {
        this.target = target;
        this.transport = new Transport(session, target);
        // Implicit TLS (port 465) is TLS from the first byte; otherwise STARTTLS per the policy.
        transport.setStartTLS(policy.startTls() && !target.implicitTls());
        transport.setRequireStartTLS(policy.mustEncrypt() && !target.implicitTls());
        this.deadline = new ConnectionDeadline(timers);
    }

    SmtpSession.Target target() {
        return target;
    }

    SMTPTransport transport() {
        return transport;
    }

    ConnectionDeadline deadline() {
        return deadline;
    }

    /** Counts a transaction about to start; {@link #mailFromAccepted()} is false until its MAIL FROM is. */
    void startTransaction() {
        transactions++;
        transport.mailFromAccepted = false;
    }

    /** Whether the server accepted the current transaction's MAIL FROM (from then on, recipients may be sent). */
    boolean mailFromAccepted() {
        return transport.mailFromAccepted;
    }

    int transactions() {
        return transactions;
    }

    long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /** QUIT (not waiting for the reply) and close; never throws. */
    void close() {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // QUIT is a courtesy; the outcome is already decided.
        }
    }

    /** Angus's transport, telling whether MAIL FROM was accepted: the point after which nothing may be re-sent. */
    private static final class Transport extends SMTPTransport {
        private volatile boolean mailFromAccepted;

        Transport(Session session, SmtpSession.Target target) {
            super(session, new URLName("smtp", target.address(), target.port(), null, null, null), "smtp",
                    target.implicitTls());
        }

        @Override
        protected void mailFrom() throws MessagingException {
            super.mailFrom(); // throws unless the reply was 250
            mailFromAccepted = true;
        }
    }
}
