package dev.mailroom.deliver;

import dev.mailroom.budget.Deadline;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The sockets of one SMTP connection, cut when the transaction running on it reaches its deadline.
 * Read and write timeouts bound each operation; only this bounds their sum — a server trickling a
 * byte every few seconds can otherwise hold a connection for as long as it likes.
 *
 * <p>Armed for each transaction and disarmed after it, so a connection kept for the next
 * transaction gets that transaction's deadline. Once it has fired, the connection is done for.
 * Arm and disarm are called by the one thread using the connection.
 */
final class ConnectionDeadline {

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers;
    private volatile boolean expired;
    private ScheduledFuture<?> guard;

    ConnectionDeadline(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /** From now until {@link #disarm()}, the connection is cut when {@code deadline} has passed (on its clock). */
    void arm(Deadline deadline) {
        guard = timers.schedule(this::expire, deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return true when the deadline had not fired (nor started to): the connection is intact */
    boolean disarm() {
        boolean cancelled = guard == null || guard.cancel(false);
        guard = null;
        return cancelled && !expired;
    }

    /** Every socket the connection opens (TCP, then any TLS layer) is registered here. */
    void register(Socket socket) {
        sockets.add(socket);
        if (expired) {
            expire();
        }
    }

    boolean expired() {
        return expired;
    }

    /** Whether any of the connection's sockets got connected (it stays true once closed). */
    boolean connected() {
        return sockets.stream().anyMatch(Socket::isConnected);
    }

    /** Closes every socket of the connection; whatever was blocked on them fails at once. */
    private void expire() {
        expired = true;
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
    }
}
