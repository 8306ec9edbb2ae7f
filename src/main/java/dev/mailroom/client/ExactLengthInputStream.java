package dev.mailroom.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fails loudly when a stream holds fewer bytes than declared, instead of letting S3 store a
 * truncated attachment; never reads past the declared length.
 */
final class ExactLengthInputStream extends FilterInputStream {

    private final long length;
    private final String name;
    private long remaining;

    ExactLengthInputStream(InputStream in, long length, String name) {
        super(in);
        this.length = length;
        this.name = name;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int b = super.read();
        if (b < 0) {
            throw truncated();
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = super.read(buffer, offset, (int) Math.min(count, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(Math.min(n, remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private IOException truncated() {
        return new IOException("the stream of " + name + " ended after " + (length - remaining) + " of " + length + " bytes");
    }
}
