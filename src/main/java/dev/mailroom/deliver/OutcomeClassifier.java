package dev.mailroom.deliver;

import dev.mailroom.compose.AttachmentException;
import dev.mailroom.resolve.Route;
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

    /** A rejected AUTH is a configuration problem, not the recipients': defer while it is fixed. */
    public static Outcome ofAuthenticationFailure(int replyCode, String serverResponse, String host) {
        Diagnosis reply = Diagnosis.ofReply(replyCode, serverResponse);
        return new Outcome.Transient(new Diagnosis(replyCode, "4.7.0", "authentication failed: " + reply.text()), host);
    }

    public static Outcome ofIoFailure(Throwable failure, String host) {
        Throwable cause = rootIoCause(failure);
        String detail = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        // RFC 3463: X.4.1 no answer from host, X.4.2 bad connection, X.7.5 cryptographic failure.
        String enhanced;
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException) {
            enhanced = "4.4.1";
        } else if (cause instanceof SSLException) {
            enhanced = "4.7.5";
        } else if (cause instanceof SocketTimeoutException || cause instanceof InterruptedIOException) {
            enhanced = "4.4.2";
            detail = "timed out: " + detail;
        } else {
            enhanced = "4.4.2";
        }
        return new Outcome.Transient(Diagnosis.local(enhanced, detail), host);
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

    public static Outcome ofAttachmentFailure(AttachmentException failure) {
        if (failure instanceof AttachmentException.NotFound) {
            return new Outcome.Permanent(Diagnosis.local("5.6.0", "attachment not found: " + failure.location()), null);
        }
        return new Outcome.Transient(Diagnosis.local("4.3.0", "attachment store unavailable: " + failure.location()), null);
    }

    private static Throwable rootIoCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
