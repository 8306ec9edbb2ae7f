package dev.mailroom.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * A UDP DNS forwarder on a free loopback port in front of a {@code DnsTestServer}, which answers a
 * seeded random fraction of queries with SERVFAIL and silently drops another fraction (the client
 * times out). Everything else is relayed unchanged. Answers are small, so the resolver never needs
 * TCP.
 */
final class FaultDnsProxy implements AutoCloseable {

    private static final int MAX_PACKET = 65_535;
    private static final int UPSTREAM_TIMEOUT_MILLIS = 2_000;

    private final InetSocketAddress upstream;
    private final double serverFailureRate;
    private final double dropRate;
    private final SplittableRandom random;
    private final DatagramSocket socket;
    private final ExecutorService relays;
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger serverFailures = new AtomicInteger();
    private final AtomicInteger drops = new AtomicInteger();
    private final Thread receiver;
    private volatile boolean enabled = true;
    private volatile boolean closed;

    private FaultDnsProxy(InetSocketAddress upstream, double serverFailureRate, double dropRate, long seed)
            throws SocketException {
        this.upstream = upstream;
        this.serverFailureRate = serverFailureRate;
        this.dropRate = dropRate;
        this.random = new SplittableRandom(seed);
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        AtomicInteger count = new AtomicInteger();
        this.relays = Executors.newFixedThreadPool(8, r -> {
            Thread thread = new Thread(r, "fault-dns-relay-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.receiver = new Thread(this::serve, "fault-dns-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /**
     * @param serverFailureRate fraction of queries answered SERVFAIL
     * @param dropRate          fraction of queries never answered
     */
    static FaultDnsProxy start(InetSocketAddress upstream, double serverFailureRate, double dropRate, long seed) {
        try {
            return new FaultDnsProxy(upstream, serverFailureRate, dropRate, seed);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Faults on (default) or off; off relays every query. */
    void enabled(boolean on) {
        this.enabled = on;
    }

    int queries() {
        return queries.get();
    }

    int serverFailures() {
        return serverFailures.get();
    }

    int drops() {
        return drops.get();
    }

    private void serve() {
        byte[] buffer = new byte[MAX_PACKET];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
            InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
            queries.incrementAndGet();
            double roll;
            synchronized (random) {
                roll = random.nextDouble();
            }
            if (enabled && roll < dropRate) {
                drops.incrementAndGet();
            } else if (enabled && roll < dropRate + serverFailureRate) {
                serverFailures.incrementAndGet();
                send(serverFailure(query), client);
            } else {
                relays.execute(() -> relay(query, client));
            }
        }
    }

    private void relay(byte[] query, InetSocketAddress client) {
        try (DatagramSocket out = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            out.setSoTimeout(UPSTREAM_TIMEOUT_MILLIS);
            out.send(new DatagramPacket(query, query.length, upstream));
            byte[] buffer = new byte[MAX_PACKET];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            out.receive(answer);
            send(Arrays.copyOf(answer.getData(), answer.getLength()), client);
        } catch (SocketTimeoutException e) {
            // The upstream said nothing; neither do we.
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    private static byte[] serverFailure(byte[] query) {
        try {
            Message request = new Message(query);
            Message response = new Message(request.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            if (request.getHeader().getFlag(Flags.RD)) {
                response.getHeader().setFlag(Flags.RD);
            }
            response.getHeader().setFlag(Flags.RA);
            response.getHeader().setRcode(Rcode.SERVFAIL);
            if (request.getQuestion() != null) {
                response.addRecord(request.getQuestion(), org.xbill.DNS.Section.QUESTION);
            }
            return response.toWire();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private void send(byte[] answer, InetSocketAddress client) {
        if (answer.length == 0) {
            return;
        }
        try {
            synchronized (socket) {
                socket.send(new DatagramPacket(answer, answer.length, client));
            }
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        relays.shutdownNow();
        try {
            receiver.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
