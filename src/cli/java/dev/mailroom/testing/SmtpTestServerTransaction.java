package dev.mailroom.testing;

import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.SmtpTestServerFaults.DataFault;
import dev.mailroom.testing.SmtpTestServerFaults.Drop;
import dev.mailroom.testing.SmtpTestServerFaults.Reject;
import dev.mailroom.testing.SmtpTestServerFaults.Reply;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * One mail transaction of a {@link SmtpTestServer} session, MAIL FROM to the end of DATA, with the
 * server's script applied: the builder's fixed script first, then the faults drawn per event.
 */
final class SmtpTestServerTransaction implements MessageHandler {

    /** A message's header block is read whole, up to this much, before the rest is stored or dropped. */
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final Duration TRICKLE_INTERVAL = Duration.ofMillis(100);

    private final SmtpTestServer server;
    private final SmtpTestServerBuilder cfg;
    private final Session session;
    private final List<String> recipients = new ArrayList<>();
    private String from;
    /** The message just answered 250, until {@link #done()} reports it. */
    private ReceivedMessage accepted;

    SmtpTestServerTransaction(SmtpTestServer server, Session session) {
        this.server = server;
        this.cfg = server.cfg;
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
        cfg.phases.recipient(helo(), recipient);
        Reply r = cfg.rejectRecipients.get(recipient.toLowerCase(Locale.ROOT));
        if (r != null) {
            throw new RejectException(r.code(), r.text());
        }
        AtomicInteger grey = cfg.greylist.get(recipient.toLowerCase(Locale.ROOT));
        if (grey != null && grey.getAndDecrement() > 0) {
            throw new RejectException(450, "4.2.0 greylisted, try again later");
        }
        Reply fault = cfg.faults.atRecipient(recipient);
        if (fault != null) {
            throw new RejectException(fault.code(), fault.text());
        }
        recipients.add(recipient);
    }

    @Override
    public String data(InputStream in) throws RejectException, IOException {
        boolean scripted = server.scripted(server.dataPhaseStarted());
        if (scripted && cfg.dropAfterBytes > 0) {
            drop(in, 0, cfg.dropAfterBytes);
        }
        DataFault fault = cfg.faults.atData();
        byte[] header = readHeader(in);
        cfg.phases.dataStarted(helo(), List.copyOf(recipients));
        if (fault instanceof Drop d) {
            drop(in, header.length, d.afterBytes());
        }

        Path file = server.nextMessageFile();
        long size = store(header, in, file);
        if (cfg.maxMessageSize > 0 && size > cfg.maxMessageSize) {
            delete(file);
            abortTransaction(new Reply(552, "5.3.4 Message size exceeds fixed limit"));
        }
        if (server.dataEndsBefore(session) == cfg.trickleAfter) {
            delete(file);
            trickle();
        }
        if (scripted && cfg.stallOnData != null && server.stall(cfg.stallOnData)) {
            delete(file);
            throw new DropConnectionException(421, "4.3.2 test server shutting down");
        }
        if (scripted && cfg.rejectData != null) {
            delete(file);
            abortTransaction(cfg.rejectData);
        }
        if (fault instanceof Reject reject) {
            delete(file);
            abortTransaction(reject.reply());
        }
        String user = session.getAuthenticationHandler().map(h -> String.valueOf(h.getIdentity())).orElse(null);
        accepted = new ReceivedMessage(from, recipients, file, size, session.isTLSStarted(), user, helo(),
                Instant.now(), new String(header, StandardCharsets.ISO_8859_1));
        server.record(accepted);
        return null; // SubEthaSMTP now answers 250, then calls done()
    }

    @Override
    public void done() {
        if (accepted != null) {
            ReceivedMessage message = accepted;
            accepted = null;
            cfg.phases.accepted(message);
        }
    }

    private String helo() {
        return session.getHelo().orElse("?");
    }

    /** Reads until {@code atLeast} bytes of the message were read in all (or it ended), then resets the connection. */
    private void drop(InputStream in, long alreadyRead, long atLeast) throws IOException, DropConnectionException {
        byte[] buf = new byte[8192];
        long read = alreadyRead;
        while (read < atLeast) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, atLeast - read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        server.reset(session);
        // The socket is gone: SubEthaSMTP's attempt to send this reply fails silently.
        throw new DropConnectionException(421, "4.3.0 test server dropped the connection");
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

    /**
     * Reads the message to its terminating dot, storing it in {@code file} (none: only counted) as
     * long as it stays within {@link SmtpTestServerBuilder#maxMessageSize}. A sender that dies first
     * makes this throw, and nothing is recorded.
     *
     * @return the message's size in bytes
     */
    private long store(byte[] header, InputStream in, Path file) throws IOException {
        long limit = cfg.maxMessageSize > 0 ? cfg.maxMessageSize : Long.MAX_VALUE;
        long size = header.length;
        try (OutputStream out = file == null ? OutputStream.nullOutputStream()
                : new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            if (size <= limit) {
                out.write(header);
            }
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                if (size + n <= limit) { // past the limit: keep reading to the terminating dot, store nothing more
                    out.write(buf, 0, n);
                }
                size += n;
            }
        }
        return size;
    }

    private static void delete(Path file) throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    /** A reply that never ends, one byte every 100 ms, until the client hangs up or the server closes. */
    private void trickle() throws DropConnectionException {
        byte[] endless = "250-still thinking ".getBytes(StandardCharsets.ISO_8859_1);
        try {
            OutputStream out = session.getSocket().getOutputStream();
            for (int i = 0; ; i = (i + 1) % endless.length) {
                out.write(endless[i]);
                out.flush();
                if (server.stall(TRICKLE_INTERVAL)) {
                    break;
                }
            }
        } catch (IOException clientHungUp) {
            // what the trickle waits for
        }
        throw new DropConnectionException(421, "4.3.2 test server shutting down");
    }

    /**
     * SubEthaSMTP leaves the transaction open after a RejectException from data(), so a following
     * MAIL FROM would get "503 Sender already specified". End it here, as RFC 5321 requires.
     */
    private void abortTransaction(Reply r) throws RejectException {
        session.resetMailTransaction();
        throw new RejectException(r.code(), r.text());
    }
}
