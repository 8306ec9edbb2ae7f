package dev.mailroom.deliver;

import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine talks SMTP. Immutable; checked when built.
 *
 * @param port                      the MX port (25 in production; tests use a free port)
 * @param heloName                  the name sent in EHLO/HELO
 * @param tlsPolicy                 see {@link TlsPolicy}
 * @param trustStore                CA certificates for {@link TlsPolicy#VERIFY}; null means the JDK's
 * @param connectTimeout            TCP connect timeout
 * @param readTimeout               the longest wait for any server reply
 * @param writeTimeout              the longest a single socket write may block
 * @param maxRecipientsPerTransaction RCPTs per transaction; RFC 5321 §4.5.3.1.8 has servers accept 100
 * @param maxParallelTransactions   transactions (one per domain) in flight at once
 * @param relay                     null for MX mode; otherwise every message goes to this smarthost
 * @param connectionReuse           whether connections are kept for the next transaction to the same server
 */
public record SmtpSettings(int port, String heloName, TlsPolicy tlsPolicy, KeyStore trustStore,
                           Duration connectTimeout, Duration readTimeout, Duration writeTimeout,
                           int maxRecipientsPerTransaction, int maxParallelTransactions, Relay relay,
                           ConnectionReuse connectionReuse) {

    public SmtpSettings {
        Objects.requireNonNull(heloName, "heloName");
        Objects.requireNonNull(tlsPolicy, "tlsPolicy");
        Objects.requireNonNull(connectionReuse, "connectionReuse");
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("readTimeout", readTimeout);
        requirePositive("writeTimeout", writeTimeout);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxRecipientsPerTransaction < 1 || maxParallelTransactions < 1) {
            throw new IllegalArgumentException("recipient and parallelism bounds must be positive");
        }
        // Credentials go only to a server whose certificate was verified: never in the clear, and
        // never to whoever answers over unauthenticated TLS.
        if (relay != null && relay.authenticates() && tlsPolicy != TlsPolicy.VERIFY) {
            throw new IllegalArgumentException("relay AUTH needs the TLS policy VERIFY (certificate checked)");
        }
    }

    /** With {@link ConnectionReuse#DEFAULT}. */
    public SmtpSettings(int port, String heloName, TlsPolicy tlsPolicy, KeyStore trustStore,
                        Duration connectTimeout, Duration readTimeout, Duration writeTimeout,
                        int maxRecipientsPerTransaction, int maxParallelTransactions, Relay relay) {
        this(port, heloName, tlsPolicy, trustStore, connectTimeout, readTimeout, writeTimeout,
                maxRecipientsPerTransaction, maxParallelTransactions, relay, ConnectionReuse.DEFAULT);
    }

    /** MX mode with defaults fit for a Lambda function: opportunistic TLS, 10 s connect, 60 s reads. */
    public static SmtpSettings mx(String heloName) {
        return new SmtpSettings(25, heloName, TlsPolicy.OPPORTUNISTIC, null, Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(60), 100, 8, null);
    }

    /** Relay mode with defaults: verified TLS. */
    public static SmtpSettings relay(String heloName, Relay relay) {
        return new SmtpSettings(25, heloName, TlsPolicy.VERIFY, null, Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(60), 50, 8, relay);
    }

    public SmtpSettings withPort(int newPort) {
        return new SmtpSettings(newPort, heloName, tlsPolicy, trustStore, connectTimeout, readTimeout,
                writeTimeout, maxRecipientsPerTransaction, maxParallelTransactions, relay, connectionReuse);
    }

    public SmtpSettings withTls(TlsPolicy policy, KeyStore trust) {
        return new SmtpSettings(port, heloName, policy, trust, connectTimeout, readTimeout,
                writeTimeout, maxRecipientsPerTransaction, maxParallelTransactions, relay, connectionReuse);
    }

    public SmtpSettings withTimeouts(Duration connect, Duration read, Duration write) {
        return new SmtpSettings(port, heloName, tlsPolicy, trustStore, connect, read,
                write, maxRecipientsPerTransaction, maxParallelTransactions, relay, connectionReuse);
    }

    public SmtpSettings withRelay(Relay newRelay) {
        return new SmtpSettings(port, heloName, tlsPolicy, trustStore, connectTimeout, readTimeout,
                writeTimeout, maxRecipientsPerTransaction, maxParallelTransactions, newRelay, connectionReuse);
    }

    public SmtpSettings withConnectionReuse(ConnectionReuse reuse) {
        return new SmtpSettings(port, heloName, tlsPolicy, trustStore, connectTimeout, readTimeout,
                writeTimeout, maxRecipientsPerTransaction, maxParallelTransactions, relay, reuse);
    }

    /** The least time an attempt needs to have a chance: connect, greet, and one reply. */
    public Duration minimumAttemptTime() {
        return connectTimeout.plus(readTimeout);
    }

    public boolean relayMode() {
        return relay != null;
    }

    private static void requirePositive(String name, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
