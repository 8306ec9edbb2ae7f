package dev.mailroom.testing;

import dev.mailroom.testing.SmtpTestServerFaults.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;
import org.subethamail.smtp.server.SessionHandler.SessionAcceptance;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedFileInputStream;

/**
 * A real SMTP server (SubEthaSMTP) running in-process on a loopback address, scriptable for failure
 * cases. Every accepted message is streamed to a {@code .eml} file in a per-server temp directory that
 * {@link #close()} deletes (or, with {@link SmtpTestServerBuilder#discardMessages}, read and dropped but for its
 * header block).
 *
 * <pre>{@code
 * try (SmtpTestServer smtp = SmtpTestServer.builder()
 *         .rejectRecipient("bob@example.test", 550, "5.1.1 no such user")
 *         .start()) {
 *     ... send to smtp.host():smtp.port() ...
 *     assertThat(smtp.received()).hasSize(1);
 * }
 * }</pre>
 *
 * <p>Scripted failures: {@link SmtpTestServerBuilder#rejectSessions}, {@link SmtpTestServerBuilder#stallOnGreeting} act per TCP
 * session; {@link SmtpTestServerBuilder#rejectData}, {@link SmtpTestServerBuilder#dropDuringData}, {@link SmtpTestServerBuilder#stallOnData} act
 * per DATA phase; {@link SmtpTestServerBuilder#failFirst(int)} limits both kinds to the first N sessions / DATA
 * phases (then the server behaves normally) for retry tests. Recipient and sender rejections always
 * apply, and so does {@link SmtpTestServerBuilder#trickleAfter}. Besides this fixed script, faults may be drawn per
 * event ({@link SmtpTestServerBuilder#faults}, {@link SmtpTestServerFaults}), and {@link SmtpTestServerBuilder#phases} calls a
 * test back at the moments of a session where a crash test kills the sender.
 *
 * <p>Wire notes (SubEthaSMTP 7.1.7): a rejected session gets the single line {@code <code> <text>}
 * instead of the 220 greeting, then the server closes the connection (FIN). EHLO always advertises
 * 8BITMIME (unless {@link SmtpTestServerBuilder#without8BitMime}), CHUNKING and SMTPUTF8 (unless
 * {@link SmtpTestServerBuilder#withoutSmtpUtf8} or without 8BITMIME); SIZE only when
 * {@link SmtpTestServerBuilder#maxMessageSize} is set. A refused login gets {@code 535 5.7.8} (RFC 4954 §6).
 * {@link #commandLines()} has every command line as received. A dropped DATA
 * is an abortive close (RST, SO_LINGER=0) of the TCP socket under any TLS layer, so the client sees an
 * I/O error ("Connection reset" / "Broken pipe"), never a reply, EOF or TLS close_notify.
 */
public final class SmtpTestServer implements AutoCloseable {

    static {
        SmtpTestServerSockets.quietSubethaLogging();
    }

    /**
     * One message accepted with a 250 reply at the end of DATA.
     *
     * @param eml         the stored message; null with {@link SmtpTestServerBuilder#discardMessages}
     * @param helo        the name the client gave in EHLO or HELO ({@code "?"} if none)
     * @param receivedAt  when the server had the whole message, just before its 250
     * @param headerBlock the message's header block up to and including the blank line (at most 64 KiB),
     *                    as ISO-8859-1
     */
    public record ReceivedMessage(String envelopeFrom, List<String> recipients, Path eml, long size,
            boolean overTls, String authenticatedUser, String helo, Instant receivedAt, String headerBlock) {

        public ReceivedMessage {
            recipients = List.copyOf(recipients);
        }

        /**
         * Parses the stored message. The content stays in the file (SharedFileInputStream), so big
         * messages are not loaded into the heap. Valid until the server is closed.
         */
        public MimeMessage parse() {
            try {
                jakarta.mail.Session session = jakarta.mail.Session.getInstance(new Properties());
                return new MimeMessage(session, new SharedFileInputStream(stored().toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (MessagingException e) {
                throw new IllegalStateException("cannot parse " + eml, e);
            }
        }

        /** The raw message as text (UTF-8); for small messages only. */
        public String content() {
            try {
                return Files.readString(stored(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The unfolded value of the first header field called {@code name} (case-insensitive). */
        public Optional<String> header(String name) {
            String unfolded = headerBlock.replaceAll("\r\n[ \t]+", " ");
            for (String line : unfolded.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return Optional.of(line.substring(colon + 1).strip());
                }
            }
            return Optional.empty();
        }

        private Path stored() {
            if (eml == null) {
                throw new IllegalStateException("not stored: the server was built with discardMessages()");
            }
            return eml;
        }
    }

    /**
     * The moments of a session where a test may act, e.g. kill the sender. The callbacks run on the
     * session's thread, and the session waits for them.
     */
    public interface Phases {
        /** No callbacks. */
        Phases NONE = new Phases() {
        };

        /** A RCPT TO arrived; the server has not answered it yet. */
        default void recipient(String helo, String address) {
        }

        /** The header block of a message arrived; the rest is still on its way. */
        default void dataStarted(String helo, List<String> recipients) {
        }

        /** The server stored the message and has just sent its 250. */
        default void accepted(ReceivedMessage message) {
        }
    }

    public static SmtpTestServerBuilder builder() {
        return new SmtpTestServerBuilder();
    }

    // ------------------------------------------------------------------------------------------

    final SmtpTestServerBuilder cfg;
    private final Path dir;
    private final InetAddress bindAddress;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<ReceivedMessage> received = new ArrayList<>();
    private final AtomicInteger sessionsSeen = new AtomicInteger();
    private final AtomicInteger mostOpenSessions = new AtomicInteger();
    private final AtomicInteger dataPhases = new AtomicInteger();
    private final AtomicInteger fileSeq = new AtomicInteger();
    private final Queue<String> commandLines = new ConcurrentLinkedQueue<>();
    /** Accepted socket (maybe a TLS layer) -> the plain TCP socket under it; consumed at session start. */
    private final Map<Socket, Socket> rawByAccepted = new ConcurrentHashMap<>();
    /** Live session -> its plain TCP socket (survives STARTTLS replacing Session.getSocket()). */
    private final Map<Session, Socket> rawBySession = new ConcurrentHashMap<>();
    /** Live session -> the ends of DATA it has reached, for {@link SmtpTestServerBuilder#trickleAfter}. */
    private final Map<Session, AtomicInteger> dataEndsBySession = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private SMTPServer server;

    /** Starts a server with these options: {@link SmtpTestServerBuilder#start()}. */
    static SmtpTestServer start(SmtpTestServerBuilder options) {
        try {
            SmtpTestServer s = new SmtpTestServer(options);
            s.startServer();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SmtpTestServer(SmtpTestServerBuilder b) throws IOException {
        this.cfg = b;
        this.bindAddress = InetAddress.getByName(b.bind);
        if (b.keepIn != null) {
            this.dir = Files.createDirectories(b.keepIn);
        } else {
            this.dir = Files.createTempDirectory("smtp-test-server-");
            this.dir.toFile().deleteOnExit();
        }
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "smtp-test-" + b.bind + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newCachedThreadPool(tf);
    }

    private void startServer() {
        SMTPServer.Builder b = SMTPServer.port(cfg.port)
                .bindAddress(bindAddress)
                .hostName(cfg.hostName)
                .executorService(executor)
                .sessionHandler(new Sessions())
                .messageHandlerFactory(ctx -> new SmtpTestServerTransaction(this, (Session) ctx))
                .serverSocketFactory(() -> new SmtpTestServerSockets.RecordingServerSocket(cfg.implicitTls, rawByAccepted))
                .insertReceivedHeaders(cfg.receivedHeader)
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, cfg.idleTimeout.toMillis()))
                .maxMessageSize(cfg.maxMessageSize)
                .serverThreadName("smtp-test-accept-" + cfg.bind);
        if (cfg.maxConnections > 0) {
            b.maxConnections(cfg.maxConnections);
        }
        if (cfg.startTls != null) {
            SSLContext ctx = cfg.startTls;
            b.enableTLS(true).requireTLS(cfg.requireStartTls).startTlsSocketFactory(raw -> SmtpTestServerSockets.serverTls(ctx, raw));
        }
        if (cfg.authUser != null) {
            b.authenticationHandlerFactory(new SmtpTestServerCommands.Rfc4954Replies(new EasyAuthenticationHandlerFactory((user, password, context) -> {
                if (!cfg.authUser.equals(user) || !cfg.authSecret.equals(password)) {
                    throw new LoginFailedException();
                }
            }))).requireAuth(true);
        }
        server = b.build();
        SmtpTestServerCommands.install(server.getCommandHandler(), cfg.offer8BitMime, cfg.offerSmtpUtf8, commandLines);
        server.start();
    }

    /** The bound port. */
    public int port() {
        return server.getPortAllocated();
    }

    /** The bound address, e.g. {@code "127.0.0.2"}. */
    public String host() {
        return bindAddress.getHostAddress();
    }

    /** Accepted messages in arrival order (snapshot). */
    public List<ReceivedMessage> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits until at least {@code count} messages were received; returns the snapshot (maybe shorter on timeout). */
    public List<ReceivedMessage> awaitReceived(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
            return List.copyOf(received);
        }
    }

    /**
     * Every command line clients sent, all sessions in order, as the server read them ({@code MAIL
     * FROM:<a@b.test> SIZE=123}); AUTH lines are cut to their mechanism, and AUTH continuation lines
     * (credentials) are never seen here.
     */
    public List<String> commandLines() {
        return List.copyOf(commandLines);
    }

    /**
     * The bytes of each command line of one verb as they came in, CRLF left out. SubEthaSMTP reads
     * commands as UTF-8 (its {@code Utf8InputStreamReader}), so these are the client's bytes: a line
     * that was not UTF-8 — chars cut to bytes, or Latin-1 — never becomes a command line (the reader
     * refuses it and the session ends).
     */
    public List<byte[]> commandLineBytes(String verb) {
        return commandLines(verb).stream().map(line -> line.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The verbs of {@link #commandLines()}, upper case ({@code "EHLO"}, {@code "MAIL"}…). */
    public List<String> commands() {
        return commandLines.stream().map(line -> line.split(" ", 2)[0].toUpperCase(Locale.ROOT)).toList();
    }

    /** The command lines of one verb ({@code "MAIL"}, {@code "RCPT"}, {@code "QUIT"}…). */
    public List<String> commandLines(String verb) {
        String prefix = verb.toUpperCase(Locale.ROOT);
        return commandLines.stream()
                .filter(line -> line.toUpperCase(Locale.ROOT).equals(prefix) || line.toUpperCase(Locale.ROOT).startsWith(prefix + " "))
                .toList();
    }

    /** TCP sessions seen so far, including rejected and stalled ones. */
    public int sessionsAccepted() {
        return sessionsSeen.get();
    }

    /** The most TCP sessions that were open at once. */
    public int mostOpenSessions() {
        return mostOpenSessions.get();
    }

    /** DATA phases started so far (accepted, rejected or dropped). */
    public int dataAttempts() {
        return dataPhases.get();
    }

    /** Stops the server, cuts open connections, ends stalls and deletes the stored messages. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown(); // wakes stalled greetings / DATA replies
        // SMTPServer.stop() waits for the session threads without a bound; make sure it cannot hang.
        Thread watchdog = new Thread(() -> {
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException ignored) {
                // stop() returned
            }
        }, "smtp-test-close-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            watchdog.interrupt();
            executor.shutdownNow();
            if (cfg.keepIn == null) {
                SmtpTestServerSockets.deleteTree(dir);
            }
        }
    }

    @Override
    public String toString() {
        return "SmtpTestServer[" + host() + ":" + port() + "]";
    }

    // ------------------------------------------------------------ for the session's script

    boolean scripted(int ordinal) {
        return cfg.failFirst < 0 || ordinal <= cfg.failFirst;
    }

    /** Waits up to {@code d}; true if the server was closed meanwhile. */
    boolean stall(Duration d) {
        try {
            return closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Abortive close of the plain TCP socket: RST, no SMTP reply, no TLS close_notify. */
    void reset(Session session) {
        SmtpTestServerSockets.reset(rawBySession.getOrDefault(session, session.getSocket()));
    }

    /** The ordinal of a DATA phase that starts now, from 1. */
    int dataPhaseStarted() {
        return dataPhases.incrementAndGet();
    }

    /** How many ends of DATA this session reached before the one now. */
    int dataEndsBefore(Session session) {
        return dataEndsBySession.computeIfAbsent(session, s -> new AtomicInteger()).getAndIncrement();
    }

    /** Where the next message is stored, or null with {@link SmtpTestServerBuilder#discardMessages}. */
    Path nextMessageFile() {
        return cfg.discardMessages ? null : dir.resolve(String.format("msg-%05d.eml", fileSeq.incrementAndGet()));
    }

    void record(ReceivedMessage message) {
        synchronized (received) {
            received.add(message);
            received.notifyAll();
        }
    }

    private final class Sessions implements SessionHandler {
        @Override
        public SessionAcceptance accept(Session session) {
            int n = sessionsSeen.incrementAndGet();
            Socket raw = rawByAccepted.remove(session.getSocket());
            rawBySession.put(session, raw != null ? raw : session.getSocket());
            mostOpenSessions.accumulateAndGet(rawBySession.size(), Math::max);
            boolean scripted = scripted(n);
            if (scripted && cfg.stallOnGreeting != null && stall(cfg.stallOnGreeting)) {
                rawBySession.remove(session);
                return SessionAcceptance.failure(421, "4.3.2 test server shutting down");
            }
            if (scripted && cfg.rejectSessionCode != 0) {
                rawBySession.remove(session);
                return SessionAcceptance.failure(cfg.rejectSessionCode, cfg.rejectSessionText);
            }
            Reply fault = cfg.faults.atGreeting();
            if (fault != null) {
                rawBySession.remove(session);
                return SessionAcceptance.failure(fault.code(), fault.text());
            }
            return SessionAcceptance.success();
        }

        @Override
        public void onSessionEnd(Session session) {
            rawBySession.remove(session);
            dataEndsBySession.remove(session);
        }
    }
}
