package dev.mailroom.bench;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.TestJobs;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.SocketFactory;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * A prototype, in the benchmark only: what the engine's SMTP step costs with Angus Mail alone, and
 * with the connection kept open across jobs to the same destination (one transport per worker
 * thread; MAIL FROM … DATA repeated on it, as Postfix's connection cache and {@code smtp-source -d}
 * do). Same Angus properties as {@code AngusSession} for a plain-text session (no TLS, no AUTH).
 * Not thread-safe: one per thread.
 */
final class ReusingSender implements AutoCloseable {

    private final MessageComposer composer;
    private final String host;
    private final int port;
    private final boolean reuse;
    private final Session session;
    private SMTPTransport transport;
    int connections;

    ReusingSender(MessageComposer composer, String host, int port, boolean reuse, boolean noDelay) {
        this.composer = composer;
        this.host = host;
        this.port = port;
        this.reuse = reuse;
        Properties props = new Properties();
        props.put("mail.smtp.localhost", "bench.mailroom.test");
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "60000");
        props.put("mail.smtp.starttls.enable", "false");
        props.put("mail.smtp.sendpartial", "true");
        props.put("mail.smtp.quitwait", "false");
        if (noDelay) {
            props.put("mail.smtp.socketFactory", new NoDelaySockets());
        }
        this.session = Session.getInstance(props);
    }

    private SendJob lastJob;
    private ParsedJob lastParsed;

    /** Intake's view of the job, once per job object (the callers send one job again and again): not measured. */
    private ParsedJob parsed(SendJob job) {
        if (job != lastJob) {
            lastParsed = TestJobs.parsed(job);
            lastJob = job;
        }
        return lastParsed;
    }

    /** Composes and sends one job; true when the server took it. */
    boolean send(SendJob job, InternetAddress[] recipients, String envelopeFrom) {
        try {
            ComposedMessage composed = composer.compose(parsed(job));
            if (transport == null || !transport.isConnected()) {
                transport = new SMTPTransport(session, new URLName("smtp", host, port, null, null, null));
                transport.connect(host, port, null, null);
                connections++;
            }
            SMTPMessage message = composed.newInstance(session);
            message.setEnvelopeFrom(envelopeFrom);
            transport.sendMessage(message, recipients);
            return transport.getLastReturnCode() / 100 == 2;
        } catch (MessagingException e) {
            closeQuietly();
            return false;
        } finally {
            if (!reuse) {
                closeQuietly();
            }
        }
    }

    private void closeQuietly() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException e) {
                // QUIT is a courtesy
            }
            transport = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    /** Plain sockets with Nagle's algorithm off (TCP_NODELAY), as the proposed engine change would make them. */
    static final class NoDelaySockets extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            return noDelay(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(new Socket(address, port, localAddress, localPort));
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
