package dev.mailroom.sign;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * Pass one of signing a message: the message is written through this stream exactly as it will be
 * sent, then {@link #signatures()} gives the DKIM-Signature fields to put before it when it is sent.
 * Line ends are made CRLF on the way in by Angus's CRLFOutputStream, which the SMTP transport's DATA
 * stream (SMTPOutputStream) extends, so what is hashed is what DATA will carry. The header block is kept (up to {@value #MAX_HEADER_BYTES}
 * bytes); the body is hashed as it passes and never kept, so a message of any size takes the same
 * memory. One stream per message; not thread-safe.
 */
public final class SigningStream extends OutputStream {

    /** Far above any real header block (RFC 5322 §2.1.1 lines are at most 1000 bytes). */
    public static final int MAX_HEADER_BYTES = 1024 * 1024;

    private final DkimSigner signer;
    private final OutputStream input = new CRLFOutputStream(new Splitter());
    private final ByteArrayOutputStream headers = new ByteArrayOutputStream();
    private final RelaxedBodyHash body = new RelaxedBodyHash();
    private boolean inBody;
    private int lineLength;
    private byte[] signatures;

    SigningStream(DkimSigner signer) {
        this.signer = signer;
    }

    /** @throws DkimException.HeaderBlockTooLarge past {@value #MAX_HEADER_BYTES} bytes of header block */
    @Override
    public void write(int b) throws IOException {
        requireOpen();
        input.write(b);
    }

    /** @throws DkimException.HeaderBlockTooLarge past {@value #MAX_HEADER_BYTES} bytes of header block */
    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        requireOpen();
        input.write(bytes, offset, length);
    }

    /**
     * The DKIM-Signature fields for everything written, one per key in the signer's order, as the
     * bytes to send before the message: US-ASCII, each field folded and ending in CRLF. Ends the
     * stream; later calls return the same bytes.
     */
    public byte[] signatures() {
        if (signatures == null) {
            signatures = signer.signatures(HeaderBlock.parse(headers.toByteArray()), body.hash());
        }
        return signatures.clone();
    }

    private void requireOpen() {
        if (signatures != null) {
            throw new IllegalStateException("the message is already signed");
        }
    }

    /** Keeps the header block, up to the empty line that ends it (RFC 5322 §2.1), and hashes the rest. */
    private final class Splitter extends OutputStream {
        @Override
        public void write(int b) {
            if (inBody) {
                body.write(b);
            } else {
                header((byte) b);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            int i = offset;
            int end = offset + length;
            for (; i < end && !inBody; i++) {
                header(bytes[i]);
            }
            if (i < end) {
                body.write(bytes, i, end - i);
            }
        }

        // Line ends arrive as CRLF only: the LF decides, the CR is written with it.
        private void header(byte b) {
            if (b == '\r') {
                return;
            }
            if (b == '\n') {
                inBody = lineLength == 0;
                if (!inBody) {
                    headers.write('\r');
                    headers.write('\n');
                }
                lineLength = 0;
            } else {
                headers.write(b);
                lineLength++;
            }
            if (headers.size() > MAX_HEADER_BYTES) {
                throw new DkimException.HeaderBlockTooLarge(MAX_HEADER_BYTES);
            }
        }
    }
}
