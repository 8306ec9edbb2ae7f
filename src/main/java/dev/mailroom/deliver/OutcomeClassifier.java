package dev.mailroom.deliver;

import dev.mailroom.compose.AttachmentException;
import dev.mailroom.resolve.Route;
import dev.mailroom.sign.DkimException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * The one place that decides whether a result is delivered, transient or permanent. Nobody else
 * re-decides: everything the engine observes (an SMTP reply, an I/O failure, a DNS answer, a store
 * failure) comes through here.
 *
 * <ul>
 *   <li>SMTP 2xx delivered, 4xx transient, 5xx permanent (RFC 5321 §4.2.1); the enhanced code is kept.</li>
 *   <li>Connection failures, timeouts and TLS failures transient.</li>
 *   <li>DNS: NXDOMAIN and null MX permanent, SERVFAIL and timeouts transient.</li>
 * </ul>
 */
public final class OutcomeClassifier {

    private OutcomeClassifier() {
    }

    public static Outcome ofReply(int replyCode, String serverResponse, String host) {
        Diagnosis diagnosis = Diagnosis.ofReply(replyCode, serverResponse);
        return switch (replyCode / 100) {
            case 2 -> new Outcome.Delivered(diagnosis, host);
            case 5 -> new Outcome.Permanent(diagnosis, host);
            // 4xx, and anything outside the protocol, may work another time.
            default -> new Outcome.Transient(diagnosis, host);
        };
    }

    /**
     * A rejected AUTH (RFC 4954 §6, e.g. {@code 535 5.7.8}) is a configuration problem, not the
     * recipients': defer while it is fixed. The diagnosis keeps the server's own codes and text.
     */
    public static Outcome ofAuthenticationFailure(int replyCode, String serverResponse, String host) {
        return new Outcome.Transient(Diagnosis.ofReply(replyCode, serverResponse), host);
    }

    public static Outcome ofIoFailure(Throwable failure, String host) {
        Throwable deepest = deepestCause(failure);
        String detail = deepest.getClass().getSimpleName()
                + (deepest.getMessage() == null ? "" : ": " + deepest.getMessage());
        // RFC 3463: X.4.1 no answer from host, X.4.2 bad connection, X.7.5 cryptographic failure.
        // The first matching cause decides: a certificate failure is an SSLException wrapping a
        // CertificateException, a dead host a MessagingException wrapping a ConnectException.
        if (hasCause(failure, SSLException.class)) {
            return transientFailure("4.7.5", "TLS failed: " + detail, host);
        }
        if (hasCause(failure, ConnectException.class) || hasCause(failure, NoRouteToHostException.class)
                || hasCause(failure, UnknownHostException.class)) {
            return transientFailure("4.4.1", detail, host);
        }
        if (hasCause(failure, SocketTimeoutException.class) || hasCause(failure, InterruptedIOException.class)) {
            return transientFailure("4.4.2", "timed out: " + detail, host);
        }
        return transientFailure("4.4.2", detail, host);
    }

    private static Outcome transientFailure(String enhancedCode, String detail, String host) {
        return new Outcome.Transient(Diagnosis.local(enhancedCode, detail), host);
    }

    /** The attempt ran out of time (the session's hard deadline, or no time left to start one). */
    public static Outcome ofDeadline(String host) {
        return new Outcome.Transient(Diagnosis.local("4.4.2", "timed out: the attempt's deadline was reached"), host);
    }

    /** The policy asks for TLS and the server does not offer STARTTLS. */
    public static Outcome ofMissingTls(String host) {
        return new Outcome.Transient(Diagnosis.local("4.7.10", "STARTTLS required but not offered"), host);
    }

    // Java 17 has no pattern switch; the sealed Route keeps this chain complete.
    public static Outcome ofUnroutable(Route route) {
        if (route instanceof Route.NullMx) {
            return new Outcome.Permanent(Diagnosis.local("5.1.10", "domain accepts no mail (null MX, RFC 7505)"), null);
        }
        if (route instanceof Route.NoSuchDomain none) {
            return new Outcome.Permanent(Diagnosis.local("5.1.2", none.detail()), null);
        }
        if (route instanceof Route.NoAddress none) {
            return new Outcome.Permanent(Diagnosis.local("5.4.4", none.detail()), null);
        }
        if (route instanceof Route.LookupFailed failed) {
            return new Outcome.Transient(Diagnosis.local("4.4.3", failed.detail()), null);
        }
        throw new IllegalArgumentException("not a routing failure: " + route);
    }

    /** RFC 1870 §6.1: the message exceeds the size the server announced. */
    public static Outcome ofSizeExceeded(long messageBytes, long limitBytes, String host) {
        return new Outcome.Permanent(Diagnosis.local("5.3.4",
                "message size " + messageBytes + " exceeds the server's limit of " + limitBytes + " bytes"), host);
    }

    /**
     * RFC 6152 §3: 8-bit content for a server without 8BITMIME must be converted or returned.
     * Mailroom streams raw messages as stored and does not convert them: RFC 3463 X.6.3,
     * "conversion required but not supported".
     */
    public static Outcome ofEightBitRefused(String host) {
        return new Outcome.Permanent(Diagnosis.local("5.6.3",
                "8-bit message content, and the server does not offer 8BITMIME (RFC 6152)"), host);
    }

    /**
     * RFC 6531 §3.2: an address with a UTF-8 local part may only be sent to a server offering
     * SMTPUTF8; SMTP has no downgrade (RFC 6530), and an ASCII rendering would be someone else's
     * mailbox. X.6.7 (RFC 6531, in RFC 5248's registry), "non-ASCII addresses not permitted for that
     * sender/recipient".
     */
    public static Outcome ofInternationalAddressRefused(String host) {
        return new Outcome.Permanent(Diagnosis.local("5.6.7",
                "non-ASCII address, and the server does not offer SMTPUTF8 (RFC 6531)"), host);
    }

    /**
     * RFC 6532 §3 / RFC 6531 §3.1: a message with UTF-8 header fields may only be sent to a server
     * offering SMTPUTF8, even when the envelope is ASCII. X.6.9 (RFC 6531, in RFC 5248's registry),
     * "UTF-8 header message cannot be transferred to one or more recipients".
     */
    public static Outcome ofUtf8HeadersRefused(String host) {
        return new Outcome.Permanent(Diagnosis.local("5.6.9",
                "UTF-8 header fields (RFC 6532), and the server does not offer SMTPUTF8 (RFC 6531)"), host);
    }

    public static Outcome ofAttachmentFailure(AttachmentException failure) {
        if (failure instanceof AttachmentException.NotFound) {
            return new Outcome.Permanent(Diagnosis.local("5.6.0", "attachment not found: " + failure.location()), null);
        }
        if (failure instanceof AttachmentException.Malformed) {
            return new Outcome.Permanent(Diagnosis.local("5.6.0", failure.getMessage()), null);
        }
        return new Outcome.Transient(Diagnosis.local("4.3.0", "attachment store unavailable: " + failure.location()), null);
    }

    /**
     * A message that could not be signed: a header block beyond what a signer holds is the message's
     * own fault (permanent); a key that cannot sign is this deployment's configuration (RFC 3463
     * X.3.5, transient: fixed keys send it on the next attempt).
     */
    public static Outcome ofSigningFailure(DkimException failure) {
        if (failure instanceof DkimException.HeaderBlockTooLarge) {
            return new Outcome.Permanent(Diagnosis.local("5.6.0", "not signed: " + failure.getMessage()), null);
        }
        return new Outcome.Transient(Diagnosis.local("4.3.5", "DKIM signing failed: " + failure.getMessage()), null);
    }

    /** The message could not be read while it was signed: a stored part's failure, else a transient one. */
    public static Outcome ofUnreadableMessage(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (cause instanceof AttachmentException attachment) {
                return ofAttachmentFailure(attachment);
            }
        }
        return new Outcome.Transient(Diagnosis.local("4.3.0", "the message could not be read for signing"), null);
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = next(cause)) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable deepestCause(Throwable failure) {
        Throwable cause = failure;
        while (next(cause) != null) {
            cause = next(cause);
        }
        return cause;
    }

    // Jakarta Mail chains through getNextException() as well as getCause().
    private static Throwable next(Throwable cause) {
        Throwable next = cause.getCause();
        if (next == null && cause instanceof jakarta.mail.MessagingException messaging) {
            next = messaging.getNextException();
        }
        return next == cause ? null : next;
    }

    /**
     * A domain whose furthest host refused for good while another failed only for now: worth another
     * attempt, and the reason shown is the furthest host's reply.
     */
    static Outcome deferredDespite(Outcome.Permanent furthest) {
        return new Outcome.Transient(furthest.diagnosis(), furthest.mxHost());
    }
}
