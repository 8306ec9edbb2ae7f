package dev.mailroom.compose;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * What SMTP DATA carries of a message, measured by writing it as Angus's SMTP transport does —
 * headers it leaves out left out, bare CR and LF made CRLF, a CRLF added when the message does not
 * end on one — but without the dot-stuffing and the terminating dot, which RFC 1870 §3 leaves out of
 * a message's size. Notes any 8-bit byte on the way (RFC 6152).
 *
 * @param bytes    the size RFC 1870 declares
 * @param eightBit whether any byte is above 127
 */
record WireSize(long bytes, boolean eightBit) {

    /** Angus's SMTPTransport writes every message with this ignore list. */
    static final String[] SMTP_IGNORED_HEADERS = {"Bcc", "Content-Length"};

    static WireSize of(MimeMessage message) throws IOException, MessagingException {
        Counter counter = new Counter();
        Canonical canonical = new Canonical(counter);
        message.writeTo(canonical, SMTP_IGNORED_HEADERS);
        canonical.flush();
        // SMTPOutputStream.ensureAtBOL(): the last line gets its CRLF before the terminating dot.
        return new WireSize(counter.bytes + (canonical.atBeginningOfLine() ? 0 : 2), counter.eightBit);
    }

    private static final class Canonical extends CRLFOutputStream {
        Canonical(OutputStream out) {
            super(out);
        }

        boolean atBeginningOfLine() {
            return atBOL;
        }
    }

    private static final class Counter extends OutputStream {
        private long bytes;
        private boolean eightBit;

        @Override
        public void write(int b) {
            bytes++;
            eightBit |= (b & 0x80) != 0;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            bytes += length;
            for (int i = offset; i < offset + length && !eightBit; i++) {
                eightBit = buffer[i] < 0;
            }
        }
    }
}
