package dev.mailroom.deliver;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether the engine keeps an SMTP connection open after a successful transaction, for the next
 * message to the same server (host name, address, port, TLS mode; the engine's relay credentials
 * are fixed). Modelled on Postfix's connection cache.
 *
 * <p>The engine holds at most {@link SmtpSettings#maxParallelTransactions()} idle connections per
 * server: more could never be in use at once.
 *
 * @param enabled                      false: one connection per transaction, closed after it
 * @param idleLimit                    an idle connection is closed after this long (Postfix's
 *                                     {@code smtp_connection_cache_time_limit}, 2 s). Short on
 *                                     purpose: jobs of one batch to one destination come within
 *                                     milliseconds of each other; a server's own idle timeout
 *                                     (RFC 5321 §4.5.3.2.7: at least 5 min, often 30 s in practice)
 *                                     is never approached; and a Lambda container frozen between
 *                                     invocations comes back to connections it will not use
 * @param maxTransactionsPerConnection then the connection is closed (Postfix's
 *                                     {@code smtp_connection_reuse_count_limit})
 * @param maxConnectionAge             no transaction starts on a connection older than this
 *                                     (Postfix's {@code smtp_connection_reuse_time_limit}, 300 s)
 */
public record ConnectionReuse(boolean enabled, Duration idleLimit, int maxTransactionsPerConnection,
                              Duration maxConnectionAge) {

    public static final ConnectionReuse DEFAULT = new ConnectionReuse(true, Duration.ofSeconds(2), 100,
            Duration.ofSeconds(300));

    public static final ConnectionReuse DISABLED = new ConnectionReuse(false, Duration.ofSeconds(2), 1,
            Duration.ofSeconds(300));

    public ConnectionReuse {
        Objects.requireNonNull(idleLimit, "idleLimit");
        Objects.requireNonNull(maxConnectionAge, "maxConnectionAge");
        if (idleLimit.isNegative() || idleLimit.isZero() || maxConnectionAge.isNegative() || maxConnectionAge.isZero()) {
            throw new IllegalArgumentException("connection idle limit and age limit must be positive durations");
        }
        if (maxTransactionsPerConnection < 1) {
            throw new IllegalArgumentException("transactions per connection must be at least 1");
        }
    }

    /** The defaults with another idle limit. */
    public static ConnectionReuse idleFor(Duration idleLimit) {
        return new ConnectionReuse(true, idleLimit, DEFAULT.maxTransactionsPerConnection, DEFAULT.maxConnectionAge);
    }
}
