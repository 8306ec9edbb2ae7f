package dev.mailroom.sign;

import java.io.ByteArrayOutputStream;

/**
 * The "relaxed" header canonicalization of RFC 6376 §3.4.2, on a field's bytes as they are sent (8-bit
 * bytes pass unchanged): the name lower-cased; the value unfolded, each run of whitespace one space,
 * none at its ends; nothing around the colon.
 */
final class RelaxedHeader {

    private RelaxedHeader() {
    }

    /**
     * @param field one header field, {@code name:value} with any folding, without its final CRLF;
     *              it has a colon (callers only pass fields with a name)
     * @return {@code name:value}, canonical, without a line end
     */
    static byte[] canonicalize(byte[] field) {
        int colon = indexOf(field, (byte) ':');
        int nameEnd = colon;
        while (nameEnd > 0 && isWhitespace(field[nameEnd - 1])) {
            nameEnd--; // "Delete any WSP characters remaining before and after the colon"
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length);
        for (int i = 0; i < nameEnd; i++) {
            out.write(lowerAscii(field[i]));
        }
        out.write(':');
        boolean pendingSpace = false;
        boolean valueStarted = false;
        for (int i = colon + 1; i < field.length; i++) {
            byte b = field[i];
            if (b == '\r' || b == '\n') {
                continue; // unfold: a CRLF inside a field is always followed by whitespace
            }
            if (isWhitespace(b)) {
                pendingSpace = valueStarted; // none before the value, and trailing runs never written
                continue;
            }
            if (pendingSpace) {
                out.write(' ');
                pendingSpace = false;
            }
            out.write(b);
            valueStarted = true;
        }
        return out.toByteArray();
    }

    /** RFC 5234 WSP: space and horizontal tab. */
    static boolean isWhitespace(int b) {
        return b == ' ' || b == '\t';
    }

    static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static int lowerAscii(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b & 0xff;
    }
}
