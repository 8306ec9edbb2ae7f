package dev.mailroom.sign;

import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * The SHA-256 body hash ({@code bh=}) over the "relaxed" body canonicalization of RFC 6376 §3.4.4,
 * computed as the body streams through: whitespace at the end of a line dropped, each other run of
 * whitespace one space, empty lines at the end dropped, and a non-empty body ending in one CRLF. It
 * holds back only a count of line ends and one pending space, never the body.
 *
 * <p>Its input has CRLF line ends only (the signer's stream makes them so, as SMTP does): every CR is
 * the first half of a line end, so only the LF is looked at.
 */
final class RelaxedBodyHash extends OutputStream {

    private static final int BUFFER_BYTES = 8192;

    private final MessageDigest digest = DkimAlgorithm.newSha256();
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    /** Line ends seen but not yet hashed: they count only if more content follows (§3.4.4 "empty lines"). */
    private long pendingLineEnds;
    private boolean pendingSpace;
    private boolean anyContent;
    private byte[] hash;

    @Override
    public void write(int b) {
        accept((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            accept(bytes[i]);
        }
    }

    private void accept(byte b) {
        if (hash != null) {
            throw new IllegalStateException("the body hash is already computed");
        }
        if (b == '\r') {
            return;
        }
        if (b == '\n') {
            pendingSpace = false; // whitespace at the end of a line is ignored
            pendingLineEnds++;
            return;
        }
        if (RelaxedHeader.isWhitespace(b)) {
            pendingSpace = true;
            return;
        }
        for (; pendingLineEnds > 0; pendingLineEnds--) {
            emit((byte) '\r');
            emit((byte) '\n');
        }
        if (pendingSpace) {
            emit((byte) ' ');
            pendingSpace = false;
        }
        emit(b);
        anyContent = true;
    }

    private void emit(byte b) {
        if (buffered == buffer.length) {
            digest.update(buffer, 0, buffered);
            buffered = 0;
        }
        buffer[buffered++] = b;
    }

    /** The hash of the whole canonical body; ends the stream. */
    byte[] hash() {
        if (hash == null) {
            if (anyContent) {
                // One CRLF ends a non-empty body, whether it had none or many; an empty body stays empty.
                emit((byte) '\r');
                emit((byte) '\n');
            }
            digest.update(buffer, 0, buffered);
            hash = digest.digest();
        }
        return hash.clone();
    }
}
