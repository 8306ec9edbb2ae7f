package dev.mailroom.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** The sockets, files and logging under a {@link SmtpTestServer}. */
final class SmtpTestServerSockets {

    private SmtpTestServerSockets() {
    }

    /** Plain server socket that remembers the TCP socket under each accepted (maybe TLS-wrapped) socket. */
    static final class RecordingServerSocket extends ServerSocket {
        private final SSLContext implicitTls;
        private final Map<Socket, Socket> rawByAccepted;

        /** @param rawByAccepted where each accepted socket's plain TCP socket is put */
        RecordingServerSocket(SSLContext implicitTls, Map<Socket, Socket> rawByAccepted) throws IOException {
            super();
            this.implicitTls = implicitTls;
            this.rawByAccepted = rawByAccepted;
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

    /** The server side of TLS over {@code raw}, TLSv1.2/1.3 only; the handshake starts with the first read. */
    static SSLSocket serverTls(SSLContext ctx, Socket raw) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory()
                .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        s.setUseClientMode(false);
        List<String> supported = Arrays.asList(s.getSupportedProtocols());
        s.setEnabledProtocols(Stream.of("TLSv1.3", "TLSv1.2").filter(supported::contains).toArray(String[]::new));
        return s;
    }

    /** Abortive close of a plain TCP socket: RST, no SMTP reply, no TLS close_notify. */
    static void reset(Socket raw) {
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

    static void deleteTree(Path root) {
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
    static void quietSubethaLogging() {
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
