package dev.mailroom.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.subethamail.smtp.server.SessionHandler.SessionAcceptance;

/**
 * A receiving MX for reliability tests (SubEthaSMTP), with two things {@code SmtpTestServer} lacks:
 * faults drawn at random per session, RCPT and DATA ({@link SmtpFaults}); and {@link Phases}
 * callbacks at the moments a crash test wants to kill the sender — RCPT received, DATA bytes
 * arriving, 250 sent. Message bodies are not kept: each accepted message becomes one
 * {@link DeliveredCopies.Copy} per recipient (job id and Message-ID read from its header block).
 *
 * <p>A message counts as received only if it arrived whole (up to the terminating dot) and the
 * server answered 250; a sender that dies mid-DATA leaves nothing behind, as with a real MTA.
 */
final class FaultSmtpServer implements AutoCloseable {

    /** Where a crash test may kill the sender. Callbacks run on the session's thread and may block. */
    interface Phases {
        /** A RCPT TO arrived; the server has not answered it yet. */
        default void recipient(String helo, String address) {
        }

        /** The first bytes of DATA arrived; the rest is still on its way. */
        default void dataStarted(String helo, List<String> recipients) {
        }

        /** The server stored the message and has just sent its 250. */
        default void accepted(String helo, List<DeliveredCopies.Copy> copies) {
        }
    }

    static {
        quietSubethaLogging();
    }

    static final String JOB_HEADER = "X-Reliability-Job";
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final String address;
    private final SmtpFaults faults;
    private final Phases phases;
    private final DeliveredCopies sink;
    private final ExecutorService executor;
    private final AtomicInteger sessions = new AtomicInteger();
    private final SMTPServer server;

    private FaultSmtpServer(String address, int port, SmtpFaults faults, Phases phases, DeliveredCopies sink) {
        this.address = address;
        this.faults = faults;
        this.phases = phases;
        this.sink = sink;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fault-smtp-" + address + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.server = SMTPServer.port(port).bindAddress(InetAddress.getByName(address))
                    .hostName("mx-" + address + ".reliability.test").executorService(executor)
                    .sessionHandler(new Greeting()).messageHandlerFactory(ctx -> new Transaction((Session) ctx))
                    .insertReceivedHeaders(false).connectionTimeoutMs(30_000).maxConnections(500)
                    .serverThreadName("fault-smtp-accept-" + address).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.start();
    }

    /**
     * @param address a loopback address such as 127.0.0.2
     * @param port    0 for a free one; pass the first server's port to share it across addresses
     */
    static FaultSmtpServer start(String address, int port, SmtpFaults faults, Phases phases, DeliveredCopies sink) {
        return new FaultSmtpServer(address, port, faults, phases, sink);
    }

    int port() {
        return server.getPortAllocated();
    }

    String address() {
        return address;
    }

    /** TCP sessions accepted, faulted ones included. */
    int sessions() {
        return sessions.get();
    }

    @Override
    public void close() {
        Thread stopper = new Thread(server::stop, "fault-smtp-stop-" + address);
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultSmtpServer[" + address + ":" + port() + "]";
    }

    private final class Greeting implements SessionHandler {
        @Override
        public SessionAcceptance accept(Session session) {
            sessions.incrementAndGet();
            SmtpFaults.Reply reply = faults.atGreeting();
            return reply == null ? SessionAcceptance.success() : SessionAcceptance.failure(reply.code(), reply.text());
        }

        @Override
        public void onSessionEnd(Session session) {
            // nothing held per session
        }
    }

    /** One mail transaction, MAIL FROM to the end of DATA. */
    private final class Transaction implements MessageHandler {
        private final Session session;
        private final List<String> recipients = new ArrayList<>();
        private List<DeliveredCopies.Copy> accepted;

        Transaction(Session session) {
            this.session = session;
        }

        private String helo() {
            return session.getHelo().orElse("?");
        }

        @Override
        public void from(String from) {
            // any sender
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            phases.recipient(helo(), recipient);
            SmtpFaults.Reply reply = faults.atRecipient(recipient);
            if (reply != null) {
                throw new RejectException(reply.code(), reply.text());
            }
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream in) throws RejectException, IOException {
            SmtpFaults.DataFault fault = faults.atData();
            byte[] header = readHeader(in);
            phases.dataStarted(helo(), List.copyOf(recipients));
            if (fault instanceof SmtpFaults.Drop drop) {
                long read = header.length;
                byte[] buffer = new byte[8192];
                while (read < drop.afterBytes()) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, drop.afterBytes() - read));
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                reset();
                throw new DropConnectionException(421, "4.3.0 connection dropped by the fault server");
            }
            // Read to the terminating dot; a sender that dies first makes this throw, and nothing is kept.
            long size = header.length + in.transferTo(OutputStreamSink.INSTANCE);
            if (fault instanceof SmtpFaults.Reject reject) {
                session.resetMailTransaction();
                throw new RejectException(reject.reply().code(), reject.reply().text());
            }
            String headers = new String(header, StandardCharsets.ISO_8859_1);
            String jobId = headerValue(headers, JOB_HEADER);
            String messageId = headerValue(headers, "Message-ID");
            long now = System.currentTimeMillis();
            List<DeliveredCopies.Copy> copies = new ArrayList<>();
            for (String recipient : recipients) {
                copies.add(new DeliveredCopies.Copy(address, helo(), jobId, messageId, recipient, size, now));
            }
            sink.accepted(copies);
            accepted = copies;
            return null; // SubEthaSMTP now answers 250, then calls done()
        }

        @Override
        public void done() {
            if (accepted != null) {
                List<DeliveredCopies.Copy> copies = accepted;
                accepted = null;
                phases.accepted(helo(), copies);
            }
        }

        /** Abortive close of the TCP connection: RST, no reply. */
        private void reset() {
            Socket socket = session.getSocket();
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** The header block up to and including the blank line (or the first 64 KiB). */
    private static byte[] readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int last4 = 0;
        while (header.size() < MAX_HEADER_BYTES) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            header.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0D0A0D0A) {
                break;
            }
        }
        return header.toByteArray();
    }

    /** The unfolded value of the first header called {@code name}, or null. */
    static String headerValue(String headers, String name) {
        String unfolded = headers.replaceAll("\r\n[ \t]+", " ");
        for (String line : unfolded.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    /** A killed sender makes SubEthaSMTP log a stack trace at WARN per session; only errors matter here. */
    private static void quietSubethaLogging() {
        try {
            Object logger = org.slf4j.LoggerFactory.getLogger("org.subethamail");
            if ("ch.qos.logback.classic.Logger".equals(logger.getClass().getName())) {
                Class<?> level = Class.forName("ch.qos.logback.classic.Level", true, logger.getClass().getClassLoader());
                logger.getClass().getMethod("setLevel", level).invoke(logger, level.getField("ERROR").get(null));
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
            // logging configuration is best effort
        }
    }

    /** Counts and discards. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
