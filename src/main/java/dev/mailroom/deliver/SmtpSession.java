package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.util.StreamProvider;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
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
    private final SmtpSockets sockets;
    private final Session session;
    private final ScheduledExecutorService timers;

    /** @param timers runs write timeouts and session deadlines */
    SmtpSession(SmtpSettings settings, TlsContexts tls, ScheduledExecutorService timers) {
        this.settings = settings;
        this.timers = timers;
        this.sockets = new SmtpSockets(tls.socketFactory(settings.tlsPolicy() == TlsPolicy.VERIFY));
        // One Session for every connection: Session.getInstance scans the class path for provider
        // files each time (the top CPU hotspot when it ran per transaction, bench §1).
        this.session = Session.getInstance(properties(settings, sockets, timers));
        pinStreamProvider();
    }

    /**
     * Jakarta Mail 2.1 looks up its {@link StreamProvider} through ServiceLoader — a scan of every
     * jar's META-INF/services — each time a part is written (twice per message at least): about a
     * fifth of the engine's CPU per message (bench §1). Named in its system property, the provider
     * is instantiated directly instead. We name the provider the lookup itself finds, so only the
     * cost changes; a value already set is left alone, and so is a class loader that could not load it.
     */
    private static void pinStreamProvider() {
        String property = StreamProvider.class.getName();
        if (System.getProperty(property) != null) {
            return;
        }
        Class<?> provider = StreamProvider.provider().getClass();
        try {
            Class.forName(provider.getName(), false, Thread.currentThread().getContextClassLoader());
            System.setProperty(property, provider.getName());
        } catch (ClassNotFoundException | RuntimeException e) {
            // FactoryFinder would fail where the lookup works: keep the lookup.
        }
    }

    /** Runs the session; at {@code deadline} its connection is cut and the result is a timeout. */
    Result deliver(Target target, ComposedMessage composed, String envelopeFrom, List<InternetAddress> recipients,
                   Instant deadline) {
        SmtpConnection connection = new SmtpConnection(session, target, settings.tlsPolicy(), timers);
        connection.deadline().arm(deadline);
        try {
            Result result = run(connection, composed, envelopeFrom, recipients);
            return connection.deadline().expired() ? deadlineReached(result, target) : result;
        } finally {
            connection.deadline().disarm();
            connection.close();
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

    private Result run(SmtpConnection connection, ComposedMessage composed, String envelopeFrom,
                       List<InternetAddress> recipients) {
        Target target = connection.target();
        SMTPTransport transport = connection.transport();
        Outcome notReady = connect(connection);
        if (notReady != null) {
            return new NotReady(notReady);
        }
        Outcome tooLarge = checkSize(transport, composed, target);
        if (tooLarge != null) {
            return new Completed(sameFor(recipients, tooLarge));
        }
        SMTPMessage message;
        try {
            message = composed.newInstance(session);
            message.setEnvelopeFrom(envelopeFrom);
        } catch (MessagingException e) {
            // Composition of the per-transaction instance failed: a bug, not the server's doing.
            throw new IllegalStateException("could not build the message for " + target.hostName(), e);
        }
        if (transport.supportsExtension("SIZE")) {
            message.setMailExtension("SIZE=" + composed.estimatedSize());
        }
        connection.startTransaction();
        return new Completed(transact(transport, message, recipients, target.hostName()));
    }

    /** The engine-wide settings; everything that differs per connection is in {@link SmtpConnection}. */
    private static Properties properties(SmtpSettings settings, SmtpSockets sockets, ScheduledExecutorService timers) {
        TlsPolicy policy = settings.tlsPolicy();
        Properties props = new Properties();
        props.put("mail.smtp.localhost", settings.heloName());
        props.put("mail.smtp.connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        props.put("mail.smtp.timeout", String.valueOf(settings.readTimeout().toMillis()));
        props.put("mail.smtp.writetimeout", String.valueOf(settings.writeTimeout().toMillis()));
        props.put("mail.smtp.executor.writetimeout", timers);
        props.put("mail.smtp.socketFactory", sockets.plain());
        // Without this Angus would fall back to a plain socket of its own when the factory fails.
        props.put("mail.smtp.socketFactory.fallback", "false");
        props.put("mail.smtp.ssl.socketFactory", sockets.tls());
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
    private Outcome connect(SmtpConnection connection) {
        Target target = connection.target();
        SMTPTransport transport = connection.transport();
        Relay relay = settings.relay();
        try {
            sockets.open(target.hostName(), connection.deadline(), () -> {
                if (relay != null && relay.authenticates()) {
                    transport.connect(target.address(), target.port(), relay.username(), relay.password());
                } else {
                    transport.connect(target.address(), target.port(), null, null);
                }
            });
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
}
