package dev.mailroom.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
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
 * {@link #close()} deletes.
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
 * <p>Scripted failures: {@link Builder#rejectSessions}, {@link Builder#stallOnGreeting} act per TCP
 * session; {@link Builder#rejectData}, {@link Builder#dropDuringData}, {@link Builder#stallOnData} act
 * per DATA phase; {@link Builder#failFirst(int)} limits both kinds to the first N sessions / DATA
 * phases (then the server behaves normally) for retry tests. Recipient and sender rejections always
 * apply.
 *
 * <p>Wire notes (SubEthaSMTP 7.1.7): a rejected session gets the single line {@code <code> <text>}
 * instead of the 220 greeting, then the server closes the connection (FIN). EHLO always advertises
 * 8BITMIME (unless {@link Builder#without8BitMime}), CHUNKING and SMTPUTF8; SIZE only when
 * {@link Builder#maxMessageSize} is set. A refused login gets {@code 535 5.7.8} (RFC 4954 §6).
 * {@link #commandLines()} has every command line as received. A dropped DATA
 * is an abortive close (RST, SO_LINGER=0) of the TCP socket under any TLS layer, so the client sees an
 * I/O error ("Connection reset" / "Broken pipe"), never a reply, EOF or TLS close_notify.
 */
public final class SmtpTestServer implements AutoCloseable {

    static {
        quietSubethaLogging();
    }

    /** One message accepted with a 250 reply at the end of DATA. */
    public record ReceivedMessage(String envelopeFrom, List<String> recipients, Path eml, long size,
            boolean overTls, String authenticatedUser) {

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
                return new MimeMessage(session, new SharedFileInputStream(eml.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (MessagingException e) {
                throw new IllegalStateException("cannot parse " + eml, e);
            }
        }

        /** The raw message as text (UTF-8); for small messages only. */
        public String content() {
            try {
                return Files.readString(eml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 0;
        private String hostName = "mx.mailroom.test";
        private int rejectSessionCode;
        private String rejectSessionText;
        private final Map<String, Reply> rejectRecipients = new HashMap<>();
        private Path keepIn;
        private final Map<String, java.util.concurrent.atomic.AtomicInteger> greylist = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Reply> rejectSenders = new HashMap<>();
        private Reply rejectData;
        private long dropAfterBytes = -1;
        private Duration stallOnData;
        private Duration stallOnGreeting;
        private int maxMessageSize;
        private SSLContext startTls;
        private boolean requireStartTls;
        private SSLContext implicitTls;
        private String authUser;
        private String authSecret;
        private int failFirst = -1;
        private boolean receivedHeader;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private boolean offer8BitMime = true;

        private Builder() {
        }

        /** Address to listen on; default 127.0.0.1. Any 127.x.y.z works on Linux without setup. */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        /** Port; default 0 = a free one. To share a port across 127.0.0.x servers pass {@code first.port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Name in the greeting and EHLO reply; default {@code mx.mailroom.test}. */
        public Builder hostName(String hostName) {
            this.hostName = Objects.requireNonNull(hostName);
            return this;
        }

        /** Answer the connection with {@code code text} instead of the 220 greeting, then close. */
        public Builder rejectSessions(int code, String text) {
            checkCode(code, 400, 599);
            this.rejectSessionCode = code;
            this.rejectSessionText = text;
            return this;
        }

        /** Reply {@code code text} to RCPT TO for this address (case-insensitive). Repeatable. */
        public Builder rejectRecipient(String address, int code, String text) {
            checkCode(code, 400, 599);
            rejectRecipients.put(address.toLowerCase(Locale.ROOT), new Reply(code, text));
            return this;
        }

        /** Write received messages as .eml files into this directory and keep them after close. */
        public Builder keepMessagesIn(Path directory) {
            this.keepIn = directory;
            return this;
        }

        /**
         * Greylisting: answer RCPT TO for this address with {@code 450 4.2.0} the first
         * {@code times} times it is offered, then accept it.
         */
        public Builder greylist(String address, int times) {
            greylist.put(address.toLowerCase(Locale.ROOT), new java.util.concurrent.atomic.AtomicInteger(times));
            return this;
        }

        /** Reply {@code code text} to MAIL FROM for this address (case-insensitive; "" = null sender). */
        public Builder rejectSender(String address, int code, String text) {
            checkCode(code, 400, 599);
            rejectSenders.put(address.toLowerCase(Locale.ROOT), new Reply(code, text));
            return this;
        }

        /** Read the whole message, then reply {@code code text} to the end of DATA (nothing is recorded). */
        public Builder rejectData(int code, String text) {
            checkCode(code, 400, 599);
            this.rejectData = new Reply(code, text);
            return this;
        }

        /** Read about 1 KiB of the message (or all of it, if shorter), then reset the connection without a reply. */
        public Builder dropDuringData() {
            return dropDuringData(1024);
        }

        /** Read at least {@code afterBytes} (min 1) of the message or all of it, then reset the connection. */
        public Builder dropDuringData(long afterBytes) {
            this.dropAfterBytes = Math.max(1, afterBytes);
            return this;
        }

        /**
         * After the message has been received, wait this long before replying (then behave normally:
         * record + 250, or the {@link #rejectData} reply). {@link #close()} ends the wait at once.
         * Note the message is still recorded if the client gave up meanwhile (like a real server).
         */
        public Builder stallOnData(Duration stall) {
            this.stallOnData = Objects.requireNonNull(stall);
            return this;
        }

        /** Accept the TCP connection but send no greeting for this long. {@link #close()} ends the wait. */
        public Builder stallOnGreeting(Duration stall) {
            this.stallOnGreeting = Objects.requireNonNull(stall);
            return this;
        }

        /**
         * Advertise {@code SIZE bytes} in EHLO; a larger declared SIZE gets 552 at MAIL FROM, a larger
         * actual message is read to its end and gets {@code 552 5.3.4} at end of DATA.
         */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        /** Offer STARTTLS with this context (e.g. {@link TestPki#serverContext}). TLSv1.2/1.3 only. */
        public Builder startTls(SSLContext context) {
            this.startTls = Objects.requireNonNull(context);
            return this;
        }

        /** With {@link #startTls}: refuse mail commands (530) until STARTTLS was done. */
        public Builder requireStartTls() {
            this.requireStartTls = true;
            return this;
        }

        /** Speak TLS from the first byte (port-465 style). TLSv1.2/1.3 only. */
        public Builder implicitTls(SSLContext context) {
            this.implicitTls = Objects.requireNonNull(context);
            return this;
        }

        /** Advertise AUTH PLAIN LOGIN and require it before MAIL FROM (530); wrong credentials get 535. */
        public Builder requireAuth(String user, String secret) {
            this.authUser = Objects.requireNonNull(user);
            this.authSecret = Objects.requireNonNull(secret);
            return this;
        }

        /**
         * Apply the scripted session failures (rejectSessions, stallOnGreeting) only to the first
         * {@code n} TCP sessions, and the DATA failures (rejectData, dropDuringData, stallOnData) only to
         * the first {@code n} DATA phases; afterwards the server accepts normally. Default: always.
         */
        public Builder failFirst(int n) {
            this.failFirst = n;
            return this;
        }

        /** Let SubEthaSMTP prepend a Received: header to stored messages; default off (byte-exact storage). */
        public Builder receivedHeader(boolean on) {
            this.receivedHeader = on;
            return this;
        }

        /** Leave 8BITMIME (RFC 6152) out of the EHLO reply; SubEthaSMTP otherwise always offers it. */
        public Builder without8BitMime() {
            this.offer8BitMime = false;
            return this;
        }

        /** Server-side read timeout per connection (421 after it); default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public SmtpTestServer start() {
            if (startTls != null && implicitTls != null) {
                throw new IllegalStateException("startTls and implicitTls are exclusive");
            }
            if (requireStartTls && startTls == null) {
                throw new IllegalStateException("requireStartTls needs startTls(...)");
            }
            try {
                SmtpTestServer s = new SmtpTestServer(this);
                s.startServer();
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void checkCode(int code, int min, int max) {
            if (code < min || code > max) {
                throw new IllegalArgumentException("SMTP reply code out of range " + min + ".." + max + ": " + code);
            }
        }
    }

    private record Reply(int code, String text) {
    }

    // ------------------------------------------------------------------------------------------

    private final Builder cfg;
    private final Path dir;
    private final InetAddress bindAddress;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<ReceivedMessage> received = new ArrayList<>();
    private final AtomicInteger sessionsSeen = new AtomicInteger();
    private final AtomicInteger mostOpenSessions = new AtomicInteger();
    private final AtomicInteger dataPhases = new AtomicInteger();
    private final AtomicInteger fileSeq = new AtomicInteger();
    private final List<String> commandLines = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Accepted socket (maybe a TLS layer) -> the plain TCP socket under it; consumed at session start. */
    private final Map<Socket, Socket> rawByAccepted = new ConcurrentHashMap<>();
    /** Live session -> its plain TCP socket (survives STARTTLS replacing Session.getSocket()). */
    private final Map<Session, Socket> rawBySession = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private SMTPServer server;

    private SmtpTestServer(Builder b) throws IOException {
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
                .messageHandlerFactory(ctx -> new Transaction((Session) ctx))
                .serverSocketFactory(() -> new RecordingServerSocket(cfg.implicitTls))
                .insertReceivedHeaders(cfg.receivedHeader)
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, cfg.idleTimeout.toMillis()))
                .maxMessageSize(cfg.maxMessageSize)
                .serverThreadName("smtp-test-accept-" + cfg.bind);
        if (cfg.startTls != null) {
            SSLContext ctx = cfg.startTls;
            b.enableTLS(true).requireTLS(cfg.requireStartTls).startTlsSocketFactory(raw -> serverTls(ctx, raw));
        }
        if (cfg.authUser != null) {
            b.authenticationHandlerFactory(new Rfc4954Replies(new EasyAuthenticationHandlerFactory((user, password, context) -> {
                if (!cfg.authUser.equals(user) || !cfg.authSecret.equals(password)) {
                    throw new LoginFailedException();
                }
            }))).requireAuth(true);
        }
        server = b.build();
        CommandHandler commands = server.getCommandHandler();
        if (!cfg.offer8BitMime) {
            commands.addCommand(new EhloWithout8BitMime());
        }
        for (String verb : List.copyOf(commands.getVerbs())) {
            commands.addCommand(new Recorded(commands.getCommand(verb)));
        }
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
                deleteTree(dir);
            }
        }
    }

    @Override
    public String toString() {
        return "SmtpTestServer[" + host() + ":" + port() + "]";
    }

    // ------------------------------------------------------------------------------------------

    private boolean scripted(int ordinal) {
        return cfg.failFirst < 0 || ordinal <= cfg.failFirst;
    }

    /** Waits up to {@code d}; true if the server was closed meanwhile. */
    private boolean stall(Duration d) {
        try {
            return closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Abortive close of the plain TCP socket: RST, no SMTP reply, no TLS close_notify. */
    private void reset(Session session) {
        Socket raw = rawBySession.getOrDefault(session, session.getSocket());
        try {
            raw.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            raw.close();
        } catch (IOException ignored) {
            // already closed
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
            return SessionAcceptance.success();
        }

        @Override
        public void onSessionEnd(Session session) {
            rawBySession.remove(session);
        }
    }

    /** One mail transaction (MAIL FROM .. end of DATA). */
    private final class Transaction implements MessageHandler {
        private final Session session;
        private String from;
        private final List<String> recipients = new ArrayList<>();

        Transaction(Session session) {
            this.session = session;
        }

        @Override
        public void from(String from) throws RejectException {
            Reply r = cfg.rejectSenders.get(from.toLowerCase(Locale.ROOT));
            if (r != null) {
                throw new RejectException(r.code(), r.text());
            }
            this.from = from;
        }

        @Override
        public void recipient(String recipient) throws RejectException {
            Reply r = cfg.rejectRecipients.get(recipient.toLowerCase(Locale.ROOT));
            if (r != null) {
                throw new RejectException(r.code(), r.text());
            }
            java.util.concurrent.atomic.AtomicInteger grey = cfg.greylist.get(recipient.toLowerCase(Locale.ROOT));
            if (grey != null && grey.getAndDecrement() > 0) {
                throw new RejectException(450, "4.2.0 greylisted, try again later");
            }
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream in) throws RejectException, IOException {
            boolean scripted = scripted(dataPhases.incrementAndGet());
            if (scripted && cfg.dropAfterBytes > 0) {
                byte[] buf = new byte[8192];
                long read = 0;
                while (read < cfg.dropAfterBytes) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, cfg.dropAfterBytes - read));
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                reset(session);
                // The socket is gone: SubEthaSMTP's attempt to send this reply fails silently.
                throw new DropConnectionException(421, "4.3.0 test server dropped the connection");
            }

            Path file = dir.resolve(String.format("msg-%05d.eml", fileSeq.incrementAndGet()));
            long size = 0;
            boolean tooBig = false;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) != -1) {
                    size += n;
                    if (cfg.maxMessageSize > 0 && size > cfg.maxMessageSize) {
                        tooBig = true; // keep reading to the terminating dot, store nothing more
                    } else if (!tooBig) {
                        out.write(buf, 0, n);
                    }
                }
            }
            if (tooBig) {
                Files.deleteIfExists(file);
                abortTransaction(new Reply(552, "5.3.4 Message size exceeds fixed limit"));
            }
            if (scripted && cfg.stallOnData != null && stall(cfg.stallOnData)) {
                Files.deleteIfExists(file);
                throw new DropConnectionException(421, "4.3.2 test server shutting down");
            }
            if (scripted && cfg.rejectData != null) {
                Files.deleteIfExists(file);
                abortTransaction(cfg.rejectData);
            }
            String user = session.getAuthenticationHandler().map(h -> String.valueOf(h.getIdentity())).orElse(null);
            ReceivedMessage m = new ReceivedMessage(from, recipients, file, size, session.isTLSStarted(), user);
            synchronized (received) {
                received.add(m);
                received.notifyAll();
            }
            return null;
        }

        /**
         * SubEthaSMTP leaves the transaction open after a RejectException from data(), so a following
         * MAIL FROM would get "503 Sender already specified". End it here, as RFC 5321 requires.
         */
        private void abortTransaction(Reply r) throws RejectException {
            session.resetMailTransaction();
            throw new RejectException(r.code(), r.text());
        }

        @Override
        public void done() {
            // nothing held
        }
    }

    /** Records each command line before SubEthaSMTP runs it. */
    private final class Recorded implements Command {
        private final Command command;

        Recorded(Command command) {
            this.command = command;
        }

        @Override
        public void execute(String commandString, Session session) throws IOException, DropConnectionException {
            String[] words = commandString.split(" ", 3);
            commandLines.add(words[0].equalsIgnoreCase("AUTH") && words.length > 1 ? "AUTH " + words[1] : commandString);
            command.execute(commandString, session);
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return command.getHelp();
        }

        @Override
        public String getName() {
            return command.getName();
        }
    }

    /** SubEthaSMTP's EHLO reply (7.1.7) without 8BITMIME, for a server that takes 7-bit mail only. */
    private static final class EhloWithout8BitMime extends BaseCommand {
        EhloWithout8BitMime() {
            super("EHLO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public void execute(String commandString, Session session) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length < 2) {
                session.sendResponse("501 Syntax: EHLO hostname");
                return;
            }
            session.resetMailTransaction();
            session.setHelo(args[1]);
            SMTPServer server = session.getServer();
            StringBuilder reply = new StringBuilder("250-").append(server.getHostName());
            if (server.getMaxMessageSize() > 0) {
                reply.append("\r\n250-SIZE ").append(server.getMaxMessageSize());
            }
            if (server.getEnableTLS() && !server.getHideTLS()) {
                reply.append("\r\n250-STARTTLS");
            }
            reply.append("\r\n250-CHUNKING");
            var auth = server.getAuthenticationHandlerFactory();
            boolean showAuth = session.isTLSStarted() ? auth.isPresent()
                    : auth.isPresent() && (!server.getRequireTLS() || server.getShowAuthCapabilitiesBeforeSTARTTLS());
            if (showAuth && !auth.get().getAuthenticationMechanisms().isEmpty()) {
                reply.append("\r\n250-AUTH ").append(String.join(" ", auth.get().getAuthenticationMechanisms()));
            }
            session.sendResponse(reply.append("\r\n250 Ok").toString());
        }
    }

    /** A refused login answered as RFC 4954 §6 has it: {@code 535 5.7.8 Authentication credentials invalid}. */
    private static final class Rfc4954Replies implements AuthenticationHandlerFactory {
        private final AuthenticationHandlerFactory factory;

        Rfc4954Replies(AuthenticationHandlerFactory factory) {
            this.factory = factory;
        }

        @Override
        public List<String> getAuthenticationMechanisms() {
            return factory.getAuthenticationMechanisms();
        }

        @Override
        public AuthenticationHandler create() {
            AuthenticationHandler handler = factory.create();
            return new AuthenticationHandler() {
                @Override
                public java.util.Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                    try {
                        return handler.auth(clientInput, context);
                    } catch (RejectException e) {
                        if (e.getCode() == 535) {
                            throw new RejectException(535, "5.7.8 Authentication credentials invalid");
                        }
                        throw e;
                    }
                }

                @Override
                public Object getIdentity() {
                    return handler.getIdentity();
                }
            };
        }
    }

    /** Plain server socket that remembers the TCP socket under each accepted (maybe TLS-wrapped) socket. */
    private final class RecordingServerSocket extends ServerSocket {
        private final SSLContext implicitTls;

        RecordingServerSocket(SSLContext implicitTls) throws IOException {
            super();
            this.implicitTls = implicitTls;
        }

        @Override
        public Socket accept() throws IOException {
            Socket raw = super.accept();
            Socket s = raw;
            if (implicitTls != null) {
                try {
                    s = serverTls(implicitTls, raw);
                } catch (IOException | RuntimeException e) {
                    raw.close();
                    throw e;
                }
            }
            rawByAccepted.put(s, raw);
            return s;
        }
    }

    private static SSLSocket serverTls(SSLContext ctx, Socket raw) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory()
                .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        s.setUseClientMode(false);
        List<String> supported = Arrays.asList(s.getSupportedProtocols());
        s.setEnabledProtocols(Stream.of("TLSv1.3", "TLSv1.2").filter(supported::contains).toArray(String[]::new));
        return s;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort; deleteOnExit covers the directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * SubEthaSMTP logs through slf4j. With the pom as it is, slf4j-api 1.7 meets logback 1.5 (from
     * s3proxy), which 1.7 cannot bind: NOP logging. Should a binding become active, keep SubEthaSMTP to
     * errors (client drops would otherwise print stack traces at WARN, and sessions log at DEBUG).
     */
    private static void quietSubethaLogging() {
        try {
            Object logger = org.slf4j.LoggerFactory.getLogger("org.subethamail");
            if ("ch.qos.logback.classic.Logger".equals(logger.getClass().getName())) {
                Class<?> level = Class.forName("ch.qos.logback.classic.Level", true, logger.getClass().getClassLoader());
                logger.getClass().getMethod("setLevel", level).invoke(logger, level.getField("ERROR").get(null));
            }
        } catch (Throwable ignored) {
            // logging configuration is best effort
        }
    }
}
