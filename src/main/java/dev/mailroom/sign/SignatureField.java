package dev.mailroom.sign;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One DKIM-Signature field (RFC 6376 §3.5), folded to lines of at most {@value #MAX_LINE} characters
 * where the tags allow it (RFC 5322 §2.1.1): folding whitespace may stand between tags, around the
 * colons of {@code h=} and anywhere inside a base64 value (RFC 6376 §2.4, §3.5).
 *
 * <p>The signature covers the field itself with an empty {@code b=} (§3.7), so the field is built up to
 * and including {@code b=} first: that text, canonicalized, ends the signature input. The value then
 * follows, folded; its folding is part of the value, which the verifier deletes, so the text it checks
 * is the text that was signed.
 */
final class SignatureField {

    static final String NAME = "DKIM-Signature";
    private static final int MAX_LINE = 78;
    private static final String FOLD = "\r\n ";

    private final String unsigned;
    private final int unsignedColumn;

    /**
     * @param signedNames the {@code h=} names in order, lower case, at least one
     * @param bodyHash    the {@code bh=} value, base64
     */
    SignatureField(DkimKey key, long timestampSeconds, List<String> signedNames, String bodyHash) {
        Folder field = new Folder(NAME + ":");
        field.spaced("v=1;").spaced("a=" + key.algorithm().tag() + ";").spaced("c=relaxed/relaxed;")
                .spaced("d=" + key.domain() + ";").spaced("s=" + key.selector() + ";")
                .spaced("t=" + timestampSeconds + ";");
        for (int i = 0; i < signedNames.size(); i++) {
            String piece = signedNames.get(i) + (i == signedNames.size() - 1 ? ";" : "");
            if (i == 0) {
                field.spaced("h=" + piece);
            } else {
                field.joined(":" + piece);
            }
        }
        field.spaced("bh=" + bodyHash + ";").spaced("b=");
        this.unsigned = field.text.toString();
        this.unsignedColumn = field.column;
    }

    /** The field as the signature input ends (§3.7): {@code b=} empty, canonicalized relaxed, no CRLF. */
    byte[] signatureInput() {
        return RelaxedHeader.canonicalize(unsigned.getBytes(StandardCharsets.US_ASCII));
    }

    /** The whole field to send, ending in CRLF, with {@code signature} (base64) as the {@code b=} value. */
    String withSignature(String signature) {
        Folder field = new Folder(unsigned);
        field.column = unsignedColumn;
        return field.split(signature).text.append("\r\n").toString();
    }

    /** Text growing line by line, breaking a line only where folding whitespace may stand. */
    private static final class Folder {
        private final StringBuilder text;
        private int column;

        Folder(String start) {
            text = new StringBuilder(start);
            column = start.length();
        }

        /** After a space, or on a new line when the piece would not fit on this one. */
        Folder spaced(String piece) {
            if (column + 1 + piece.length() > MAX_LINE) {
                newLine();
            } else {
                text.append(' ');
                column++;
            }
            return append(piece);
        }

        /** Directly after what precedes it, or on a new line when it would not fit on this one. */
        Folder joined(String piece) {
            if (column + piece.length() > MAX_LINE) {
                newLine();
            }
            return append(piece);
        }

        /** As much as fits on each line. */
        Folder split(String value) {
            for (int i = 0; i < value.length(); ) {
                if (column >= MAX_LINE) {
                    newLine();
                }
                int end = Math.min(value.length(), i + MAX_LINE - column);
                append(value.substring(i, end));
                i = end;
            }
            return this;
        }

        private void newLine() {
            text.append(FOLD);
            column = 1;
        }

        private Folder append(String piece) {
            text.append(piece);
            column += piece.length();
            return this;
        }
    }
}
