package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One SMTP session with one server: connect (TLS, AUTH as configured), one mail transaction for a
 * group of recipients, QUIT. Built on Angus Mail's {@link SMTPTransport}.
 *
 * <p>The result separates the two cases the MX loop must tell apart: the server was never ready
 * for a transaction (connection failure, timeout, TLS failure, a 4xx/5xx greeting or EHLO) and the
 * next host may be tried; or a transaction ran, and every recipient has a definite answer — even
 * a connection lost mid-DATA is final for this attempt, since the server may already hold the
 * message (RFC 5321 §6.1).
 */
final class SmtpSession {

    /** Where to connect: the host's name (TLS identity, logs) and the address to dial. */
    record Target(String hostName, String address, int port, boolean implicitTls) {
    }

    sealed interface Result {
    }

    /** No transaction took place; {@code failure} says why. Try the next host. */
    record NotReady(Outcome failure) implements Result {
    }

    /** A transaction ran; one outcome per recipient, in the order given. */
    record Completed(Map<InternetAddress, Outcome> outcomes) implements Result {
    }

    private final SmtpSettings settings;
    private final TlsContexts tls;
    private final ScheduledExecutorService timers;

    /** @param timers runs write timeouts and session deadlines */
    SmtpSession(SmtpSettings settings, TlsContexts tls, ScheduledExecutorService timers) {
        this.settings = settings;
        this.tls = tls;
        this.timers = timers;
    }

    /** Runs the session; at {@code deadline} its connection is cut and the result is a timeout. */
    Result deliver(Target target, ComposedMessage composed, String envelopeFrom, List<InternetAddress> recipients,
                   Instant deadline) {
        DeadlineSockets sockets = new DeadlineSockets();
        ScheduledFuture<?> guard = timers.schedule(sockets::expire,
                Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        try {
            Result result = run(target, composed, envelopeFrom, recipients, sockets);
            return sockets.expired() ? deadlineReached(result, target) : result;
        } finally {
            guard.cancel(false);
        }
    }

    /** Whatever broke when the deadline cut the connection is reported as the timeout it is. */
    private static Result deadlineReached(Result result, Target target) {
        Outcome timeout = OutcomeClassifier.ofDeadline(target.hostName());
        if (result instanceof NotReady) {
            return new NotReady(timeout);
        }
        Map<InternetAddress, Outcome> outcomes = new LinkedHashMap<>(((Completed) result).outcomes());
        outcomes.replaceAll((recipient, outcome) ->
                outcome instanceof Outcome.Transient && !outcome.diagnosis().hasReply() ? timeout : outcome);
        return new Completed(outcomes);
    }

    private Result run(Target target, ComposedMessage composed, String envelopeFrom, List<InternetAddress> recipients,
                       DeadlineSockets sockets) {
        Properties props = properties(target);
        props.put("mail.smtp.socketFactory", sockets);
        Session session = Session.getInstance(props);
        SMTPTransport transport = new SMTPTransport(session, new URLName("smtp", target.address(), target.port(),
                null, null, null));
        try {
            Outcome notReady = connect(transport, target);
            if (notReady != null) {
                return new NotReady(notReady);
            }
            Outcome tooLarge = checkSize(transport, composed, target);
            if (tooLarge != null) {
                return new Completed(sameFor(recipients, tooLarge));
            }
            SMTPMessage message = composed.newInstance(session);
            message.setEnvelopeFrom(envelopeFrom);
            if (transport.supportsExtension("SIZE")) {
                message.setMailExtension("SIZE=" + composed.estimatedSize());
            }
            return new Completed(transact(transport, message, recipients, target.hostName()));
        } catch (MessagingException e) {
            // Composition of the per-transaction instance failed: a bug, not the server's doing.
            throw new IllegalStateException("could not build the message for " + target.hostName(), e);
        } finally {
            closeQuietly(transport);
        }
    }

    private Properties properties(Target target) {
        TlsPolicy policy = settings.tlsPolicy();
        Properties props = new Properties();
        props.put("mail.smtp.localhost", settings.heloName());
        props.put("mail.smtp.connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        props.put("mail.smtp.timeout", String.valueOf(settings.readTimeout().toMillis()));
        props.put("mail.smtp.writetimeout", String.valueOf(settings.writeTimeout().toMillis()));
        props.put("mail.smtp.executor.writetimeout", timers);
        props.put("mail.smtp.ssl.enable", String.valueOf(target.implicitTls()));
        props.put("mail.smtp.starttls.enable", String.valueOf(policy.startTls() && !target.implicitTls()));
        props.put("mail.smtp.starttls.required", String.valueOf(policy.mustEncrypt() && !target.implicitTls()));
        props.put("mail.smtp.ssl.socketFactory", tls.forHost(target.hostName(), policy == TlsPolicy.VERIFY));
        props.put("mail.smtp.ssl.checkserveridentity", String.valueOf(policy == TlsPolicy.VERIFY));
        // Per-recipient results: keep going past rejected RCPTs, and report the accepted ones too.
        props.put("mail.smtp.sendpartial", "true");
        props.put("mail.smtp.reportsuccess", "true");
        props.put("mail.smtp.quitwait", "false");
        Relay relay = settings.relay();
        if (relay != null && relay.authenticates()) {
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.auth.mechanisms", "PLAIN LOGIN");
        }
        return props;
    }

    /** Returns null once the server is ready for a transaction, else why it is not. */
    private Outcome connect(SMTPTransport transport, Target target) {
        Relay relay = settings.relay();
        try {
            if (relay != null && relay.authenticates()) {
                transport.connect(target.address(), target.port(), relay.username(), relay.password());
            } else {
                transport.connect(target.address(), target.port(), null, null);
            }
            return null;
        } catch (AuthenticationFailedException e) {
            return OutcomeClassifier.ofAuthenticationFailure(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), target.hostName());
        } catch (MessagingException e) {
            if (causedByIo(e)) {
                return OutcomeClassifier.ofIoFailure(e, target.hostName());
            }
            if (settings.tlsPolicy().mustEncrypt() && !transport.supportsExtension("STARTTLS")
                    && transport.getLastReturnCode() / 100 == 2) {
                return OutcomeClassifier.ofMissingTls(target.hostName());
            }
            return OutcomeClassifier.ofReply(transport.getLastReturnCode(), transport.getLastServerResponse(),
                    target.hostName());
        }
    }

    private static Outcome checkSize(SMTPTransport transport, ComposedMessage composed, Target target) {
        String announced = transport.getExtensionParameter("SIZE");
        if (announced == null || announced.isBlank()) {
            return null;
        }
        try {
            long limit = Long.parseLong(announced.strip());
            // RFC 1870 §4: SIZE 0 means "no fixed maximum".
            if (limit > 0 && composed.estimatedSize() > limit) {
                return OutcomeClassifier.ofSizeExceeded(composed.estimatedSize(), limit, target.hostName());
            }
        } catch (NumberFormatException e) {
            // A malformed SIZE parameter announces nothing we can use.
        }
        return null;
    }

    private static Map<InternetAddress, Outcome> transact(SMTPTransport transport, SMTPMessage message,
                                                          List<InternetAddress> recipients, String host) {
        try {
            transport.sendMessage(message, recipients.toArray(InternetAddress[]::new));
            // With reportsuccess Angus always throws; reaching here means every RCPT and DATA succeeded.
            return sameFor(recipients, OutcomeClassifier.ofReply(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), host));
        } catch (SMTPSendFailedException e) {
            // MAIL FROM, DATA or end-of-data answered: that reply applies to every accepted recipient.
            return perRecipient(recipients, e, OutcomeClassifier.ofReply(e.getReturnCode(), e.getMessage(), host), host);
        } catch (SendFailedException e) {
            // Every RCPT was refused: no DATA was sent.
            Outcome unanswered = OutcomeClassifier.ofReply(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), host);
            return perRecipient(recipients, e, unanswered, host);
        } catch (MessagingException e) {
            // The connection broke mid-transaction: no definite answer for anyone.
            return sameFor(recipients, OutcomeClassifier.ofIoFailure(e, host));
        }
    }

    /**
     * Walks Angus's chain of per-address results: a refused RCPT keeps its own reply; an accepted
     * one takes the transaction's final reply ({@code accepted}).
     */
    private static Map<InternetAddress, Outcome> perRecipient(List<InternetAddress> recipients,
                                                              MessagingException failure, Outcome accepted,
                                                              String host) {
        Map<String, Outcome> byAddress = new java.util.HashMap<>();
        for (Exception next = failure.getNextException(); next instanceof MessagingException chained;
             next = chained.getNextException()) {
            if (chained instanceof SMTPAddressFailedException refused) {
                byAddress.put(key(refused.getAddress()),
                        OutcomeClassifier.ofReply(refused.getReturnCode(), refused.getMessage(), host));
            } else if (chained instanceof SMTPAddressSucceededException taken) {
                byAddress.put(key(taken.getAddress()), accepted);
            }
        }
        Map<InternetAddress, Outcome> outcomes = new LinkedHashMap<>();
        for (InternetAddress recipient : recipients) {
            outcomes.put(recipient, byAddress.getOrDefault(key(recipient), accepted));
        }
        return outcomes;
    }

    static Map<InternetAddress, Outcome> sameFor(List<InternetAddress> recipients, Outcome outcome) {
        Map<InternetAddress, Outcome> outcomes = new LinkedHashMap<>();
        recipients.forEach(recipient -> outcomes.put(recipient, outcome));
        return outcomes;
    }

    private static String key(InternetAddress address) {
        return address.getAddress().toLowerCase(Locale.ROOT);
    }

    private static boolean causedByIo(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
            if (cause instanceof MessagingException messaging && messaging.getNextException() instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(SMTPTransport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // QUIT is a courtesy; the outcome is already decided.
        }
    }
}
