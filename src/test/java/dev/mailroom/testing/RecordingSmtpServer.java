package dev.mailroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A minimal SMTP server that records every byte a client sends once it is readable (after TLS, if
 * any): the wiretap that proves a password never went out. {@link SmtpTestServer} can tell who
 * authenticated for an accepted message, but not whether a client <em>tried</em> AUTH; this can.
 * It is not one more option of that server, on purpose: it reads the socket itself rather than
 * through SubEthaSMTP's parser, so nothing a client sends escapes it, and it checks nothing (any
 * AUTH gets {@code 235}), so a client that should not authenticate has every chance to.
 *
 * <p>It speaks just enough SMTP for Angus Mail: a 220 greeting, EHLO with the extensions asked for
 * ({@code AUTH PLAIN LOGIN} always, {@code STARTTLS} when given a context), STARTTLS, AUTH (PLAIN
 * with an initial response, or LOGIN's two steps; always {@code 235}), MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT. A failed TLS handshake ends the session; nothing after it is recorded, since nothing
 * after it could be read.
 *
 * <p>{@link #transcript()} is the client's side of every session, decoded as ISO-8859-1 so that
 * any byte can be searched for.
 */
public final class RecordingSmtpServer implements AutoCloseable {

    private final ServerSocket listener;
    private final SSLContext implicitTls;
    private final SSLContext startTls;
    private final ExecutorService sessions = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "recording-smtp");
        thread.setDaemon(true);
        return thread;
    });
    private final List<ByteArrayOutputStream> transcripts = new CopyOnWriteArrayList<>();
    private final List<String> handshakeFailures = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private RecordingSmtpServer(SSLContext implicitTls, SSLContext startTls) {
        this.implicitTls = implicitTls;
        this.startTls = startTls;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sessions.submit(this::acceptLoop);
    }

    /** Plaintext only: offers AUTH, never STARTTLS. */
    public static RecordingSmtpServer plaintext() {
        return new RecordingSmtpServer(null, null);
    }

    /** TLS from the first byte (port-465 style) with this server context. */
    public static RecordingSmtpServer implicitTls(SSLContext context) {
        return new RecordingSmtpServer(context, null);
    }

    /** Plaintext greeting, STARTTLS offered with this server context (port-587 style). */
    public static RecordingSmtpServer startTls(SSLContext context) {
        return new RecordingSmtpServer(null, context);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Everything clients sent, all sessions in order, as ISO-8859-1 text. */
    public String transcript() {
        StringBuilder all = new StringBuilder();
        for (ByteArrayOutputStream session : transcripts) {
            synchronized (session) {
                all.append(session.toString(StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    /** SMTP command verbs clients sent, upper case, in order (AUTH continuation lines excluded). */
    public List<String> commands() {
        List<String> verbs = new ArrayList<>();
        for (String line : transcript().split("\r\n")) {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (verb.matches("EHLO|HELO|STARTTLS|AUTH|MAIL|RCPT|DATA|RSET|NOOP|QUIT")) {
                verbs.add(verb);
            }
        }
        return verbs;
    }

    public int sessionCount() {
        return transcripts.size();
    }

    public List<String> handshakeFailures() {
        return List.copyOf(handshakeFailures);
    }

    /**
     * The server side notices a failed handshake after the client has given up on it: waits up to
     * {@code timeout} for the first one, then returns what there is.
     */
    public List<String> awaitHandshakeFailures(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (handshakeFailures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return handshakeFailures();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                sessions.submit(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    handshakeFailures.add("accept: " + e);
                }
                return;
            }
        }
    }

    private void serve(Socket raw) {
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        transcripts.add(transcript);
        try (Socket ignored = raw) {
            raw.setSoTimeout(10_000);
            Socket socket = implicitTls != null ? serverTls(implicitTls, raw) : raw;
            if (socket == null) {
                return;
            }
            socket.getOutputStream().write("220 recording.test ESMTP\r\n".getBytes(StandardCharsets.ISO_8859_1));
            converse(socket, transcript, implicitTls != null);
        } catch (IOException e) {
            // the client went away; the transcript holds what it sent
        }
    }

    /**
     * One SMTP conversation; after STARTTLS it starts afresh on the TLS socket, without a greeting
     * (RFC 3207 §4.2).
     */
    private void converse(Socket socket, ByteArrayOutputStream transcript, boolean tls) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        boolean inData = false;
        String line;
        while ((line = readLine(in, transcript)) != null) {
            if (inData) {
                if (line.equals(".")) {
                    inData = false;
                    reply(out, "250 2.0.0 accepted");
                }
                continue;
            }
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO" -> reply(out, "250-recording.test", "250-8BITMIME",
                        startTls != null && !tls ? "250-STARTTLS" : "250-PIPELINING", "250 AUTH PLAIN LOGIN");
                case "HELO" -> reply(out, "250 recording.test");
                case "STARTTLS" -> {
                    if (startTls == null || tls) {
                        reply(out, "502 5.5.1 not offered");
                        continue;
                    }
                    reply(out, "220 2.0.0 go ahead");
                    Socket upgraded = serverTls(startTls, socket);
                    if (upgraded != null) {
                        converse(upgraded, transcript, true);
                    }
                    return;
                }
                case "AUTH" -> authenticate(line, in, out, transcript);
                case "DATA" -> {
                    reply(out, "354 go ahead");
                    inData = true;
                }
                case "QUIT" -> {
                    reply(out, "221 bye");
                    return;
                }
                default -> reply(out, "250 ok");
            }
        }
    }

    private static void authenticate(String line, InputStream in, OutputStream out, ByteArrayOutputStream transcript)
            throws IOException {
        String[] parts = line.split(" ");
        String mechanism = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
        if (mechanism.equals("PLAIN") && parts.length < 3) {
            reply(out, "334 ");
            readLine(in, transcript);
        } else if (mechanism.equals("LOGIN")) {
            reply(out, "334 VXNlcm5hbWU6");
            readLine(in, transcript);
            reply(out, "334 UGFzc3dvcmQ6");
            readLine(in, transcript);
        }
        reply(out, "235 2.7.0 authenticated");
    }

    private SSLSocket serverTls(SSLContext context, Socket raw) {
        try {
            SSLSocket tls = (SSLSocket) context.getSocketFactory()
                    .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
            tls.setUseClientMode(false);
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            handshakeFailures.add(e.toString());
            return null;
        }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream transcript) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        try {
            while ((b = in.read()) != -1) {
                synchronized (transcript) {
                    transcript.write(b);
                }
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        } catch (SocketException e) {
            return null;
        }
        return null;
    }

    private static void reply(OutputStream out, String... lines) throws IOException {
        for (String line : lines) {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        sessions.shutdownNow();
        try {
            sessions.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
