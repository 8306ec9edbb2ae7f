package dev.mailroom.deliver;

import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.job.AddressForm;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Runs SMTP mail transactions (MAIL FROM, RCPT TO, DATA), one per {@link #run} call, for a group of
 * recipients with one server: on a connection kept from an earlier transaction with that server
 * ({@link ConnectionPool}) or on a new one (connect, TLS and AUTH as configured). Built on Angus
 * Mail's {@link SMTPTransport}; one per engine, used by its transaction threads in parallel.
 *
 * <p>A kept connection that turns out dead before its MAIL FROM is accepted — closed by the server
 * while idle, or lost while a Lambda container was frozen — is replaced by a new connection to
 * the same server, transparently: no recipient was sent on it, and it is no failover.
 *
 * <p>The result separates the two cases the MX loop must tell apart: the server was never ready
 * for a transaction (connection failure, timeout, TLS failure, a 4xx/5xx greeting or EHLO) and the
 * next host may be tried; or a transaction ran, and every recipient has a definite answer — even
 * a connection lost mid-DATA is final for this attempt, since the server may already hold the
 * message (RFC 5321 §6.1).
 *
 * <p>A transaction is SMTPUTF8 (RFC 6531) when the message has UTF-8 header fields
 * ({@link ComposedMessage#smtpUtf8()}) or an envelope address a UTF-8 local part. It runs on a
 * connection of its own, made in a session that writes commands as UTF-8 ({@link AngusSession#createUtf8}),
 * never kept afterwards: Angus would add SMTPUTF8 to every later MAIL FROM on it. Such mail is rare.
 */
final class SmtpTransaction {

    /** Where to connect: the host's name (TLS identity, logs) and the address to dial. */
    record Target(String hostName, String address, int port, boolean implicitTls) {
    }

    /** What the MX loop is told: the server was not ready for a transaction, or a transaction ran. */
    sealed interface Result extends Attempt {
    }

    /** No transaction took place; {@code failure} says why, {@code reached} how far it got. Try the next host. */
    record NotReady(Outcome failure, Progress reached) implements Result {
    }

    /** A transaction ran; one outcome per recipient, in the order given. */
    record Completed(Map<InternetAddress, Outcome> outcomes) implements Result {
    }

    /**
     * What a transaction on one connection came to: a {@link Result} for the MX loop, or
     * {@link KeptConnectionDied}, which never leaves this class (the transaction runs again on a new
     * connection).
     */
    private sealed interface Attempt {
    }

    /**
     * The kept connection the transaction was to run on had died while idle (the server closed it,
     * or the container was frozen) and said so before MAIL FROM was accepted: nothing was sent.
     */
    private record KeptConnectionDied() implements Attempt {
    }

    private final SmtpSettings settings;
    private final SmtpSockets sockets;
    private final Session session;
    private final Session utf8Session;
    private final ScheduledExecutorService timers;
    private final ConnectionPool pool;

    /**
     * @param timers runs write timeouts and connection deadlines
     * @param pool   where connections are kept between transactions (or not, as configured)
     */
    SmtpTransaction(SmtpSettings settings, TlsContexts tls, ScheduledExecutorService timers, ConnectionPool pool) {
        this.settings = settings;
        this.timers = timers;
        this.pool = pool;
        this.sockets = new SmtpSockets(tls.socketFactory(settings.tlsPolicy() == TlsPolicy.VERIFY));
        this.session = AngusSession.create(settings, sockets, timers);
        this.utf8Session = AngusSession.createUtf8(settings, sockets, timers);
    }

    /**
     * Runs a transaction with {@code target}: on a connection kept from an earlier one when there
     * is one, else on a new one. At {@code deadline} the connection is cut and the result is a
     * timeout.
     */
    Result run(Target target, ComposedMessage composed, String envelopeFrom, List<InternetAddress> recipients,
               Deadline deadline) {
        boolean smtpUtf8 = composed.smtpUtf8() || international(envelopeFrom, recipients);
        SmtpConnection connection = smtpUtf8 ? newConnection(target, true)
                : pool.take(target).orElseGet(() -> newConnection(target, false));
        return runOn(connection, composed, envelopeFrom, recipients, deadline);
    }

    private Result runOn(SmtpConnection connection, ComposedMessage composed, String envelopeFrom,
                         List<InternetAddress> recipients, Deadline deadline) {
        Attempt attempt = underDeadline(connection, composed, envelopeFrom, recipients, deadline);
        if (attempt instanceof Result result) {
            return result;
        }
        // A kept connection found dead: its idle siblings are suspect too. A new connection takes its
        // place, transparently (it is no failover); a new connection is never found dead.
        Target target = connection.target();
        pool.discard(target);
        return runOn(newConnection(target, connection.utf8()), composed, envelopeFrom, recipients, deadline);
    }

    /** @param utf8 for an SMTPUTF8 transaction */
    private SmtpConnection newConnection(Target target, boolean utf8) {
        return new SmtpConnection(utf8 ? utf8Session : session, target, settings.tlsPolicy(), timers, utf8);
    }

    private static boolean international(String envelopeFrom, List<InternetAddress> recipients) {
        return AddressForm.isInternational(envelopeFrom)
                || recipients.stream().anyMatch(recipient -> AddressForm.isInternational(recipient.getAddress()));
    }

    /**
     * One transaction on {@code connection}, under {@code deadline}; the connection goes back to
     * the pool only when every recipient was delivered and the deadline did not cut it.
     */
    private Attempt underDeadline(SmtpConnection connection, ComposedMessage composed, String envelopeFrom,
                                  List<InternetAddress> recipients, Deadline deadline) {
        ConnectionDeadline cut = connection.deadline();
        cut.arm(deadline);
        Attempt attempt = null; // stays null only when openAndSend throws
        try {
            attempt = openAndSend(connection, composed, envelopeFrom, recipients);
        } finally {
            boolean intact = cut.disarm();
            if (intact && !connection.utf8() && attempt instanceof Completed completed && deliveredToAll(completed)) {
                pool.release(connection);
            } else {
                connection.close();
            }
        }
        if (cut.expired() && attempt instanceof Result result) {
            return deadlineReached(result, connection.target());
        }
        return attempt;
    }

    private static boolean deliveredToAll(Completed result) {
        return result.outcomes().values().stream().allMatch(Outcome.Delivered.class::isInstance);
    }

    /** Whatever broke when the deadline cut the connection is reported as the timeout it is. */
    private static Result deadlineReached(Result result, Target target) {
        Outcome timeout = OutcomeClassifier.ofDeadline(target.hostName());
        if (result instanceof NotReady notReady) {
            return new NotReady(timeout, notReady.reached());
        }
        Map<InternetAddress, Outcome> outcomes = new LinkedHashMap<>(((Completed) result).outcomes());
        outcomes.replaceAll((recipient, outcome) ->
                outcome instanceof Outcome.Transient && !outcome.diagnosis().hasReply() ? timeout : outcome);
        return new Completed(outcomes);
    }

    /** Connects (unless the connection was kept), checks what the server announced, then the transaction itself. */
    private Attempt openAndSend(SmtpConnection connection, ComposedMessage composed, String envelopeFrom,
                                List<InternetAddress> recipients) {
        Target target = connection.target();
        SMTPTransport transport = connection.transport();
        boolean reused = connection.transactions() > 0;
        Optional<NotReady> notReady = reused ? Optional.empty() : connect(connection);
        if (notReady.isPresent()) {
            return notReady.get();
        }
        Optional<Outcome> unsendable = checkSize(transport, composed, target)
                .or(() -> checkBody(transport, composed, target))
                .or(() -> checkSmtpUtf8(connection, composed, envelopeFrom, recipients));
        if (unsendable.isPresent()) {
            // Too large for this server, 8-bit for one without 8BITMIME, or international for one
            // without SMTPUTF8: our own verdict on this host, before MAIL FROM. Another MX of the
            // domain may take it, so the loop goes on.
            return new NotReady(unsendable.get(), Progress.READY);
        }
        SMTPMessage message;
        try {
            message = composed.newInstance(session);
            message.setEnvelopeFrom(envelopeFrom);
        } catch (MessagingException e) {
            // Composition of the per-transaction instance failed: a bug, not the server's doing.
            throw new IllegalStateException("could not build the message for " + target.hostName(), e);
        }
        String parameters = mailParameters(transport, composed);
        if (!parameters.isEmpty()) {
            message.setMailExtension(parameters);
        }
        connection.startTransaction();
        return transact(connection, message, recipients, reused);
    }

    /** Empty once the server is ready for a transaction, else why it is not. */
    private Optional<NotReady> connect(SmtpConnection connection) {
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
            return Optional.empty();
        } catch (MessagingException e) {
            return Optional.of(new NotReady(whyNotReady(connection, e), connection.progress()));
        }
    }

    private Outcome whyNotReady(SmtpConnection connection, MessagingException failure) {
        String host = connection.target().hostName();
        SMTPTransport transport = connection.transport();
        SmtpConnection.Reply refusedLogin = connection.rejectedLogin();
        if (refusedLogin != null) {
            return OutcomeClassifier.ofAuthenticationFailure(refusedLogin.code(), refusedLogin.text(), host);
        }
        if (causedByIo(failure)) {
            return OutcomeClassifier.ofIoFailure(failure, host);
        }
        if (failure instanceof AuthenticationFailedException) {
            return OutcomeClassifier.ofAuthenticationFailure(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), host);
        }
        if (settings.tlsPolicy().mustEncrypt() && !transport.supportsExtension("STARTTLS")
                && transport.getLastReturnCode() / 100 == 2) {
            return OutcomeClassifier.ofMissingTls(host);
        }
        return OutcomeClassifier.ofReply(transport.getLastReturnCode(), transport.getLastServerResponse(), host);
    }

    private static Optional<Outcome> checkSize(SMTPTransport transport, ComposedMessage composed, Target target) {
        String announced = transport.getExtensionParameter("SIZE");
        if (announced == null || announced.isBlank()) {
            return Optional.empty();
        }
        try {
            long limit = Long.parseLong(announced.strip());
            // RFC 1870 §4: SIZE 0 means "no fixed maximum".
            if (limit > 0 && composed.size() > limit) {
                return Optional.of(OutcomeClassifier.ofSizeExceeded(composed.size(), limit, target.hostName()));
            }
        } catch (NumberFormatException e) {
            // A malformed SIZE parameter announces nothing we can use.
        }
        return Optional.empty();
    }

    /** RFC 6152 §3: 8-bit content goes only to a server offering 8BITMIME; Mailroom does not convert it. */
    private static Optional<Outcome> checkBody(SMTPTransport transport, ComposedMessage composed, Target target) {
        return composed.eightBit() && !transport.supportsExtension("8BITMIME")
                ? Optional.of(OutcomeClassifier.ofEightBitRefused(target.hostName())) : Optional.empty();
    }

    /**
     * RFC 6531 §3.2: an SMTPUTF8 transaction goes only to a server offering SMTPUTF8; nothing is
     * downgraded or sent garbled. An envelope address is the more precise reason (X.6.7), else the
     * message's UTF-8 header fields (X.6.9).
     */
    private static Optional<Outcome> checkSmtpUtf8(SmtpConnection connection, ComposedMessage composed,
                                                   String envelopeFrom, List<InternetAddress> recipients) {
        if (!connection.utf8() || connection.transport().supportsExtension("SMTPUTF8")) {
            return Optional.empty();
        }
        String host = connection.target().hostName();
        return Optional.of(international(envelopeFrom, recipients)
                ? OutcomeClassifier.ofInternationalAddressRefused(host) : OutcomeClassifier.ofUtf8HeadersRefused(host));
    }

    /**
     * MAIL FROM parameters: the message's exact size (RFC 1870 §6) and, for 8-bit content, its body
     * type (RFC 6152 §3; Angus never declares it). A message with UTF-8 header fields is 8-bit, so
     * it declares {@code BODY=8BITMIME} like any other (RFC 6531 §3.1 requires an SMTPUTF8 server
     * to offer 8BITMIME; the body check refuses one that does not); an SMTPUTF8 transaction whose only
     * UTF-8 is in the envelope declares no body type. The {@code SMTPUTF8} parameter itself is not
     * added here: the transport of an SMTPUTF8 connection adds it ({@link AngusSession#createUtf8}).
     */
    private static String mailParameters(SMTPTransport transport, ComposedMessage composed) {
        StringBuilder parameters = new StringBuilder();
        if (transport.supportsExtension("SIZE")) {
            parameters.append("SIZE=").append(composed.size());
        }
        if (composed.eightBit()) {
            parameters.append(parameters.length() == 0 ? "" : " ").append("BODY=8BITMIME");
        }
        return parameters.toString();
    }

    /** The transaction's outcomes; or, on a {@code reused} connection, possibly that it had died while idle. */
    private static Attempt transact(SmtpConnection connection, SMTPMessage message, List<InternetAddress> recipients,
                                    boolean reused) {
        SMTPTransport transport = connection.transport();
        String host = connection.target().hostName();
        try {
            transport.sendMessage(message, recipients.toArray(InternetAddress[]::new));
            // With reportsuccess Angus always throws; reaching here means every RCPT and DATA succeeded.
            return new Completed(sameFor(recipients, OutcomeClassifier.ofReply(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), host)));
        } catch (MessagingException e) {
            return reused && diedWhileIdle(connection, e)
                    ? new KeptConnectionDied() : new Completed(outcomes(transport, e, recipients, host));
        }
    }

    private static Map<InternetAddress, Outcome> outcomes(SMTPTransport transport, MessagingException failure,
                                                          List<InternetAddress> recipients, String host) {
        if (failure instanceof SMTPSendFailedException answered) {
            // MAIL FROM, DATA or end-of-data answered: that reply applies to every accepted recipient.
            return perRecipient(recipients, answered,
                    OutcomeClassifier.ofReply(answered.getReturnCode(), answered.getMessage(), host), host);
        }
        if (failure instanceof SendFailedException refused) {
            // Every RCPT was refused: no DATA was sent.
            Outcome unanswered = OutcomeClassifier.ofReply(transport.getLastReturnCode(),
                    transport.getLastServerResponse(), host);
            return perRecipient(recipients, refused, unanswered, host);
        }
        // The connection broke mid-transaction: no definite answer for anyone.
        return sameFor(recipients, OutcomeClassifier.ofIoFailure(failure, host));
    }

    /**
     * A kept connection the server closed while it was idle fails its first command: an I/O error,
     * end of stream (-1), or 421 "closing transmission channel" (RFC 5321 §3.8). Only before MAIL
     * FROM was accepted is that safe to take for a dead connection: no recipient was sent yet.
     */
    private static boolean diedWhileIdle(SmtpConnection connection, MessagingException failure) {
        if (connection.mailFromAccepted() || connection.deadline().expired()) {
            return false;
        }
        int code = failure instanceof SMTPSendFailedException answered
                ? answered.getReturnCode() : connection.transport().getLastReturnCode();
        return causedByIo(failure) || code == 421 || code == -1;
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
        return AddressForm.key(address.getAddress());
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
