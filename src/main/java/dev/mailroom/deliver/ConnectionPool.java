package dev.mailroom.deliver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Idle SMTP connections, each ready for another transaction with the server it is connected to —
 * Postfix's connection cache, inside one engine. A connection comes back only after a transaction
 * every recipient of which was delivered: never after an error, a refusal, a cut deadline or a
 * reply the engine cannot be sure of. The key is the whole {@link SmtpTransaction.Target} (host name,
 * address, port, TLS mode), so a connection verified for one host name serves no other; the relay
 * credentials are the engine's, fixed for its lifetime.
 *
 * <p>An idle connection is closed after {@link ConnectionReuse#idleLimit()}, by the next
 * {@link #take} or by {@link #closeIdle()} (run periodically), whichever comes first. Idle time is
 * measured on both the monotonic and the wall clock: after a Lambda container is thawed either
 * may be the one that shows the freeze. A connection that died anyway is noticed by its first
 * command and replaced by the caller.
 *
 * <p>Thread-safe.
 */
final class ConnectionPool implements AutoCloseable {

    private record Idle(SmtpConnection connection, long sinceNanos, Instant since) {
    }

    private final ConnectionReuse reuse;
    private final int maxIdlePerTarget;
    private final Clock clock;
    private final Map<SmtpTransaction.Target, Deque<Idle>> idle = new HashMap<>();
    private boolean closed;

    /** @param maxIdlePerTarget more could never be used at once: the engine's parallel transactions */
    ConnectionPool(ConnectionReuse reuse, int maxIdlePerTarget, Clock clock) {
        this.reuse = reuse;
        this.maxIdlePerTarget = maxIdlePerTarget;
        this.clock = clock;
    }

    /** The most recently used idle connection to {@code target}, if any; stale ones met on the way are closed. */
    Optional<SmtpConnection> take(SmtpTransaction.Target target) {
        if (!reuse.enabled()) {
            return Optional.empty();
        }
        List<SmtpConnection> stale = new ArrayList<>();
        SmtpConnection ready = null;
        synchronized (this) {
            Deque<Idle> connections = idle.get(target);
            while (ready == null && connections != null && !connections.isEmpty()) {
                Idle next = connections.pollFirst();
                if (expired(next)) {
                    stale.add(next.connection());
                } else {
                    ready = next.connection();
                }
            }
            if (connections != null && connections.isEmpty()) {
                idle.remove(target);
            }
        }
        stale.forEach(SmtpConnection::close);
        return Optional.ofNullable(ready);
    }

    /** Takes back a connection whose last transaction delivered to every recipient; closes it if it may not be reused. */
    void release(SmtpConnection connection) {
        boolean kept = false;
        if (reuse.enabled() && connection.transactions() < reuse.maxTransactionsPerConnection()
                && connection.ageNanos() < reuse.maxConnectionAge().toNanos()) {
            synchronized (this) {
                Deque<Idle> connections = idle.computeIfAbsent(connection.target(), t -> new ArrayDeque<>());
                if (!closed && connections.size() < maxIdlePerTarget) {
                    connections.addFirst(new Idle(connection, System.nanoTime(), clock.instant()));
                    kept = true;
                }
            }
        }
        if (!kept) {
            connection.close();
        }
    }

    /** Closes every idle connection to {@code target}: one of them turned out dead, the others are likely too. */
    void discard(SmtpTransaction.Target target) {
        Deque<Idle> connections;
        synchronized (this) {
            connections = idle.remove(target);
        }
        if (connections != null) {
            connections.forEach(entry -> entry.connection().close());
        }
    }

    /** Closes the connections idle for longer than the limit. */
    void closeIdle() {
        List<SmtpConnection> stale = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Deque<Idle>> targets = idle.values().iterator(); targets.hasNext(); ) {
                Deque<Idle> connections = targets.next();
                connections.removeIf(entry -> expired(entry) && stale.add(entry.connection()));
                if (connections.isEmpty()) {
                    targets.remove();
                }
            }
        }
        stale.forEach(SmtpConnection::close);
    }

    /** Closes every idle connection; connections released afterwards are closed at once. */
    @Override
    public void close() {
        List<Idle> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(entry -> entry.connection().close());
    }

    private boolean expired(Idle entry) {
        Duration monotonic = Duration.ofNanos(System.nanoTime() - entry.sinceNanos());
        Duration wall = Duration.between(entry.since(), clock.instant());
        Duration limit = reuse.idleLimit();
        return monotonic.compareTo(limit) >= 0 || wall.compareTo(limit) >= 0
                || entry.connection().ageNanos() >= reuse.maxConnectionAge().toNanos();
    }
}
