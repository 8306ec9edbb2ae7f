package dev.mailroom.testing;

import dev.mailroom.testing.SmtpTestServerFaults.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

/**
 * The options of a {@link SmtpTestServer}, from {@link SmtpTestServer#builder()}: where it listens,
 * what it offers (TLS, AUTH, SIZE, 8BITMIME, SMTPUTF8), and its script, what it does wrong and when. The
 * fields are read by the server and its sessions once {@link #start()} has been called.
 */
public final class SmtpTestServerBuilder {

    String bind = "127.0.0.1";
    int port = 0;
    String hostName = "mx.mailroom.test";
    int rejectSessionCode;
    String rejectSessionText;
    final Map<String, Reply> rejectRecipients = new HashMap<>();
    Path keepIn;
    final Map<String, AtomicInteger> greylist = new ConcurrentHashMap<>();
    final Map<String, Reply> rejectSenders = new HashMap<>();
    Reply rejectData;
    long dropAfterBytes = -1;
    Duration stallOnData;
    Duration stallOnGreeting;
    int maxMessageSize;
    SSLContext startTls;
    boolean requireStartTls;
    SSLContext implicitTls;
    String authUser;
    String authSecret;
    int failFirst = -1;
    boolean receivedHeader;
    Duration idleTimeout = Duration.ofSeconds(60);
    boolean offer8BitMime = true;
    boolean offerSmtpUtf8 = true;
    int maxConnections;
    SmtpTestServerFaults faults = SmtpTestServerFaults.NONE;
    SmtpTestServer.Phases phases = SmtpTestServer.Phases.NONE;
    boolean discardMessages;
    int trickleAfter = -1;

    SmtpTestServerBuilder() {
    }

    /** Address to listen on; default 127.0.0.1. Any 127.x.y.z works on Linux without setup. */
    public SmtpTestServerBuilder bind(String address) {
        this.bind = Objects.requireNonNull(address);
        return this;
    }

    /** Port; default 0 = a free one. To share a port across 127.0.0.x servers pass {@code first.port()}. */
    public SmtpTestServerBuilder port(int port) {
        this.port = port;
        return this;
    }

    /** Name in the greeting and EHLO reply; default {@code mx.mailroom.test}. */
    public SmtpTestServerBuilder hostName(String hostName) {
        this.hostName = Objects.requireNonNull(hostName);
        return this;
    }

    /** Answer the connection with {@code code text} instead of the 220 greeting, then close. */
    public SmtpTestServerBuilder rejectSessions(int code, String text) {
        checkCode(code, 400, 599);
        this.rejectSessionCode = code;
        this.rejectSessionText = text;
        return this;
    }

    /** Reply {@code code text} to RCPT TO for this address (case-insensitive). Repeatable. */
    public SmtpTestServerBuilder rejectRecipient(String address, int code, String text) {
        checkCode(code, 400, 599);
        rejectRecipients.put(address.toLowerCase(Locale.ROOT), new Reply(code, text));
        return this;
    }

    /** Write received messages as .eml files into this directory and keep them after close. */
    public SmtpTestServerBuilder keepMessagesIn(Path directory) {
        this.keepIn = directory;
        return this;
    }

    /**
     * Greylisting: answer RCPT TO for this address with {@code 450 4.2.0} the first
     * {@code times} times it is offered, then accept it.
     */
    public SmtpTestServerBuilder greylist(String address, int times) {
        greylist.put(address.toLowerCase(Locale.ROOT), new AtomicInteger(times));
        return this;
    }

    /** Reply {@code code text} to MAIL FROM for this address (case-insensitive; "" = null sender). */
    public SmtpTestServerBuilder rejectSender(String address, int code, String text) {
        checkCode(code, 400, 599);
        rejectSenders.put(address.toLowerCase(Locale.ROOT), new Reply(code, text));
        return this;
    }

    /** Read the whole message, then reply {@code code text} to the end of DATA (nothing is recorded). */
    public SmtpTestServerBuilder rejectData(int code, String text) {
        checkCode(code, 400, 599);
        this.rejectData = new Reply(code, text);
        return this;
    }

    /** Read about 1 KiB of the message (or all of it, if shorter), then reset the connection without a reply. */
    public SmtpTestServerBuilder dropDuringData() {
        return dropDuringData(1024);
    }

    /** Read at least {@code afterBytes} (min 1) of the message or all of it, then reset the connection. */
    public SmtpTestServerBuilder dropDuringData(long afterBytes) {
        this.dropAfterBytes = Math.max(1, afterBytes);
        return this;
    }

    /**
     * After the message has been received, wait this long before replying (then behave normally:
     * record + 250, or the {@link #rejectData} reply). {@link #close()} ends the wait at once.
     * Note the message is still recorded if the client gave up meanwhile (like a real server).
     */
    public SmtpTestServerBuilder stallOnData(Duration stall) {
        this.stallOnData = Objects.requireNonNull(stall);
        return this;
    }

    /** Accept the TCP connection but send no greeting for this long. {@link #close()} ends the wait. */
    public SmtpTestServerBuilder stallOnGreeting(Duration stall) {
        this.stallOnGreeting = Objects.requireNonNull(stall);
        return this;
    }

    /**
     * Advertise {@code SIZE bytes} in EHLO; a larger declared SIZE gets 552 at MAIL FROM, a larger
     * actual message is read to its end and gets {@code 552 5.3.4} at end of DATA.
     */
    public SmtpTestServerBuilder maxMessageSize(int bytes) {
        this.maxMessageSize = bytes;
        return this;
    }

    /** Offer STARTTLS with this context (e.g. {@link TestPki#serverContext}). TLSv1.2/1.3 only. */
    public SmtpTestServerBuilder startTls(SSLContext context) {
        this.startTls = Objects.requireNonNull(context);
        return this;
    }

    /** With {@link #startTls}: refuse mail commands (530) until STARTTLS was done. */
    public SmtpTestServerBuilder requireStartTls() {
        this.requireStartTls = true;
        return this;
    }

    /** Speak TLS from the first byte (port-465 style). TLSv1.2/1.3 only. */
    public SmtpTestServerBuilder implicitTls(SSLContext context) {
        this.implicitTls = Objects.requireNonNull(context);
        return this;
    }

    /** Advertise AUTH PLAIN LOGIN and require it before MAIL FROM (530); wrong credentials get 535. */
    public SmtpTestServerBuilder requireAuth(String user, String secret) {
        this.authUser = Objects.requireNonNull(user);
        this.authSecret = Objects.requireNonNull(secret);
        return this;
    }

    /**
     * Apply the scripted session failures (rejectSessions, stallOnGreeting) only to the first
     * {@code n} TCP sessions, and the DATA failures (rejectData, dropDuringData, stallOnData) only to
     * the first {@code n} DATA phases; afterwards the server accepts normally. Default: always.
     */
    public SmtpTestServerBuilder failFirst(int n) {
        this.failFirst = n;
        return this;
    }

    /** Let SubEthaSMTP prepend a Received: header to stored messages; default off (byte-exact storage). */
    public SmtpTestServerBuilder receivedHeader(boolean on) {
        this.receivedHeader = on;
        return this;
    }

    /** Leave 8BITMIME (RFC 6152) out of the EHLO reply; SubEthaSMTP otherwise always offers it. */
    public SmtpTestServerBuilder without8BitMime() {
        this.offer8BitMime = false;
        return this;
    }

    /**
     * Leave SMTPUTF8 (RFC 6531) out of the EHLO reply, keeping 8BITMIME: a server that takes 8-bit
     * mail but no internationalised addresses. SubEthaSMTP otherwise always offers it.
     */
    public SmtpTestServerBuilder withoutSmtpUtf8() {
        this.offerSmtpUtf8 = false;
        return this;
    }

    /** Server-side read timeout per connection (421 after it); default 60 s. */
    public SmtpTestServerBuilder idleTimeout(Duration timeout) {
        this.idleTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** SubEthaSMTP's limit on open sessions, past which it answers 421; default its own, 1000. */
    public SmtpTestServerBuilder maxConnections(int sessions) {
        this.maxConnections = sessions;
        return this;
    }

    /**
     * Draw faults per event besides the fixed script above: at each greeting, RCPT TO and DATA the
     * fixed script lets through, {@code faults} may answer in its place. Default: none.
     */
    public SmtpTestServerBuilder faults(SmtpTestServerFaults faults) {
        this.faults = Objects.requireNonNull(faults);
        return this;
    }

    /** Call {@code phases} at the moments of each session a test may act at (e.g. kill the sender). */
    public SmtpTestServerBuilder phases(SmtpTestServer.Phases phases) {
        this.phases = Objects.requireNonNull(phases);
        return this;
    }

    /**
     * Read each message to its end but keep only its header block ({@link SmtpTestServer.ReceivedMessage#header}),
     * for runs of thousands of messages: {@link SmtpTestServer.ReceivedMessage#eml()} is then null.
     */
    public SmtpTestServerBuilder discardMessages() {
        this.discardMessages = true;
        return this;
    }

    /**
     * On each connection, answer the end of DATA of the first {@code messages} messages as usual,
     * then answer the next with a reply that never ends: one byte every 100 ms, well inside any read
     * timeout, until the client hangs up or the server is closed. Nothing of it is recorded.
     */
    public SmtpTestServerBuilder trickleAfter(int messages) {
        this.trickleAfter = messages;
        return this;
    }

    public SmtpTestServer start() {
        if (startTls != null && implicitTls != null) {
            throw new IllegalStateException("startTls and implicitTls are exclusive");
        }
        if (requireStartTls && startTls == null) {
            throw new IllegalStateException("requireStartTls needs startTls(...)");
        }
        return SmtpTestServer.start(this);
    }

    private static void checkCode(int code, int min, int max) {
        if (code < min || code > max) {
            throw new IllegalArgumentException("SMTP reply code out of range " + min + ".." + max + ": " + code);
        }
    }
}
