package dev.mailroom.deliver;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One SMTP connection to one {@link SmtpTransaction.Target}: the Angus transport, the deadline that
 * can cut its sockets, and what a connection cache needs to know about it. Used by one
 * transaction at a time.
 */
final class SmtpConnection {

    private final SmtpTransaction.Target target;
    private final Transport transport;
    private final ConnectionDeadline deadline;
    private final long openedNanos = System.nanoTime();
    private final boolean utf8;
    private int transactions;

    /** @param utf8 whether {@code session} is the SMTPUTF8 one ({@link AngusSession#createUtf8}) */
    SmtpConnection(Session session, SmtpTransaction.Target target, TlsPolicy policy, ScheduledExecutorService timers,
                   boolean utf8) {
        this.target = target;
        this.utf8 = utf8;
        this.transport = new Transport(session, target);
        // Implicit TLS (port 465) is TLS from the first byte; otherwise STARTTLS per the policy.
        transport.setStartTLS(policy.startTls() && !target.implicitTls());
        transport.setRequireStartTLS(policy.mustEncrypt() && !target.implicitTls());
        this.deadline = new ConnectionDeadline(timers);
    }

    SmtpTransaction.Target target() {
        return target;
    }

    /** Whether this connection is for SMTPUTF8 transactions: commands as UTF-8, SMTPUTF8 on MAIL FROM. */
    boolean utf8() {
        return utf8;
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

    /** How far the connection got in opening, for telling which of several failed hosts says most. */
    Progress progress() {
        if (transport.authentication != null) {
            return Progress.AUTHENTICATION;
        }
        if (transport.tlsStarted || (target.implicitTls() && deadline.connected())) {
            return Progress.TLS;
        }
        if (transport.replies > 0) {
            return Progress.GREETED;
        }
        return deadline.connected() ? Progress.CONNECTED : Progress.UNREACHABLE;
    }

    /** The server's reply that refused the login (RFC 4954 §6), or null when none did. */
    Reply rejectedLogin() {
        return transport.authentication;
    }

    /** A server reply: code and full text as Angus reports it. */
    record Reply(int code, String text) {
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

    /**
     * Angus's transport, telling whether MAIL FROM was accepted (the point after which nothing may be
     * re-sent) and how far the opening got; and saying QUIT where Angus would drop the connection
     * without it (RFC 5321 §4.1.1.10): after a rejected AUTH, and when STARTTLS is required but not
     * offered.
     */
    private static final class Transport extends SMTPTransport {
        private volatile boolean mailFromAccepted;
        private int replies;
        private boolean tlsStarted;
        private boolean authenticating;
        private Reply authentication;

        Transport(Session session, SmtpTransaction.Target target) {
            super(session, new URLName("smtp", target.address(), target.port(), null, null, null), "smtp",
                    target.implicitTls());
        }

        @Override
        protected void mailFrom() throws MessagingException {
            super.mailFrom(); // throws unless the reply was 250
            mailFromAccepted = true;
        }

        @Override
        protected int readServerResponse() throws MessagingException {
            int code = super.readServerResponse();
            replies++;
            // RFC 4954 §4: 334 continues the exchange, 235 ends it well; anything else refused it.
            if (authenticating && code != 334) {
                authenticating = false;
                if (code != 235) {
                    authentication = new Reply(code, getLastServerResponse());
                    quit();
                }
            }
            return code;
        }

        @Override
        public synchronized int simpleCommand(String command) throws MessagingException {
            authenticating = authenticating || command.regionMatches(true, 0, "AUTH ", 0, 5);
            return super.simpleCommand(command);
        }

        @Override
        protected void startTLS() throws MessagingException {
            tlsStarted = true;
            super.startTLS();
        }

        @Override
        protected boolean ehlo(String domain) throws MessagingException {
            boolean accepted = super.ehlo(domain);
            if (accepted) {
                quitUnlessTlsIsPossible();
            }
            return accepted;
        }

        @Override
        protected void helo(String domain) throws MessagingException {
            super.helo(domain); // throws unless the reply was 250
            quitUnlessTlsIsPossible();
        }

        /** Angus closes at once when STARTTLS is required but not offered; say goodbye first. */
        private void quitUnlessTlsIsPossible() {
            if (getRequireStartTLS() && !isSSL() && !supportsExtension("STARTTLS")) {
                quit();
            }
        }

        /**
         * QUIT, and its 221 read (RFC 5321 §4.1.1.10: the server replies, then closes), before Angus
         * closes the socket. Only on these failure paths; a connection's deadline still bounds the wait.
         */
        private void quit() {
            try {
                sendCommand("QUIT");
                super.readServerResponse();
            } catch (MessagingException e) {
                // The connection is being given up anyway.
            }
        }
    }
}
