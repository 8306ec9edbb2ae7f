package dev.mailroom.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A message's bytes as header fields and body, for tests that take a sent message apart: kept
 * byte for byte (fields as ISO-8859-1 text, one char per byte, folding kept), so that putting it
 * back together gives the same bytes. Written for tests, apart from the code under test.
 *
 * @param fields each field without its final CRLF
 * @param body   everything after the empty line that ends the header block
 */
public record RawMessage(List<String> fields, byte[] body) {

    private static final byte[] CRLF = {'\r', '\n'};

    public RawMessage {
        fields = List.copyOf(fields);
    }

    /** A message with CRLF line ends and an empty line after its header block. */
    public static RawMessage parse(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.startsWith("\r\n") ? 0 : text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalArgumentException("no empty line after the header block");
        }
        List<String> fields = new ArrayList<>();
        for (String line : end == 0 ? new String[0] : text.substring(0, end).split("\r\n")) {
            if (!fields.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
            } else {
                fields.add(line);
            }
        }
        int bodyStart = end == 0 ? 2 : end + 4;
        return new RawMessage(fields, Arrays.copyOfRange(message, bodyStart, message.length));
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String field : fields) {
            out.writeBytes(field.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Whether {@code field} is one of the named field (any case). */
    public static boolean named(String field, String name) {
        return field.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":");
    }

    public RawMessage withFields(List<String> replaced) {
        return new RawMessage(replaced, body);
    }

    public RawMessage withBody(byte[] replaced) {
        return new RawMessage(fields, replaced);
    }
}
