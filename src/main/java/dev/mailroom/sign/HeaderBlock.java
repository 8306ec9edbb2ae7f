package dev.mailroom.sign;

import dev.mailroom.job.HeaderField;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A message's header block as sent, split into fields (RFC 5322 §2.2: a line that starts with
 * whitespace continues the field above it). Fields without a valid name are never signed.
 */
final class HeaderBlock {

    /** One field's bytes without its final CRLF, folding kept, and its lower-case name. */
    private record Field(String name, byte[] bytes) {
    }

    private final List<Field> fields;

    private HeaderBlock(List<Field> fields) {
        this.fields = fields;
    }

    /** @param block the header lines, each ending in CRLF (the last may lack it), without the empty line */
    static HeaderBlock parse(byte[] block) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] == '\n') {
                lines.add(Arrays.copyOfRange(block, start, i + 1));
                start = i + 1;
            }
        }
        if (start < block.length) {
            lines.add(Arrays.copyOfRange(block, start, block.length));
        }
        List<Field> fields = new ArrayList<>();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            if (field.size() > 0 && !RelaxedHeader.isWhitespace(line[0])) {
                fields.add(field(field.toByteArray()));
                field.reset();
            }
            field.writeBytes(line);
        }
        if (field.size() > 0) {
            fields.add(field(field.toByteArray()));
        }
        return new HeaderBlock(fields.stream().filter(f -> f.name() != null).toList());
    }

    private static Field field(byte[] withLineEnd) {
        int end = withLineEnd.length;
        while (end > 0 && (withLineEnd[end - 1] == '\n' || withLineEnd[end - 1] == '\r')) {
            end--;
        }
        byte[] bytes = Arrays.copyOf(withLineEnd, end);
        int colon = RelaxedHeader.indexOf(bytes, (byte) ':');
        // RFC 5322 §3.6.8 names; whitespace before the colon is the obsolete syntax §4.5.8 still allows.
        String name = colon < 0 ? null : new String(bytes, 0, colon, StandardCharsets.ISO_8859_1).replaceAll("[ \\t]+$", "");
        return new Field(HeaderField.isValidName(name) ? name.toLowerCase(Locale.ROOT) : null, bytes);
    }

    /** How many fields of this (lower-case) name the block has. */
    int count(String name) {
        return (int) fields.stream().filter(f -> f.name().equals(name)).count();
    }

    /**
     * The header part of the signature input (RFC 6376 §3.7): for each name of {@code h=} in turn the
     * next field of that name from the bottom up (§5.4.2), canonicalized relaxed, each with a CRLF; a
     * name listed more often than it occurs adds nothing for the extra listings (an oversigned empty).
     */
    byte[] canonicalFields(List<String> signedNames) {
        Map<String, Integer> used = new HashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : signedNames) {
            int skip = used.merge(name, 1, Integer::sum) - 1;
            for (int i = fields.size() - 1; i >= 0; i--) {
                Field field = fields.get(i);
                if (field.name().equals(name) && skip-- == 0) {
                    out.writeBytes(RelaxedHeader.canonicalize(field.bytes()));
                    out.write('\r');
                    out.write('\n');
                    break;
                }
            }
        }
        return out.toByteArray();
    }
}
