package dev.mailroom.sign;

import dev.mailroom.testing.RawMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What may happen to a signed message on its way: the changes a signature must reveal, and one it must not. */
final class Tampering {

    private Tampering() {
    }

    /** One letter or digit of the body replaced by another; a byte added to an empty body. */
    static byte[] oneBodyByteChanged(byte[] message) {
        RawMessage raw = RawMessage.parse(message);
        byte[] body = raw.body().clone();
        for (int i = 0; i < body.length; i++) {
            if (Character.isLetterOrDigit(body[i])) {
                body[i] = (byte) (body[i] == 'x' ? 'y' : 'x');
                return raw.withBody(body).bytes();
            }
        }
        byte[] longer = Arrays.copyOf(body, body.length + 3);
        longer[body.length] = 'x';
        longer[body.length + 1] = '\r';
        longer[body.length + 2] = '\n';
        return raw.withBody(longer).bytes();
    }

    /** The last character of the (bottom-most) field of that name changed. */
    static byte[] fieldChanged(byte[] message, String name) {
        RawMessage raw = RawMessage.parse(message);
        List<String> fields = new ArrayList<>(raw.fields());
        for (int i = fields.size() - 1; i >= 0; i--) {
            String field = fields.get(i).stripTrailing();
            if (RawMessage.named(field, name)) {
                char last = field.charAt(field.length() - 1);
                fields.set(i, field.substring(0, field.length() - 1) + (last == 'x' ? 'y' : 'x'));
                return raw.withFields(fields).bytes();
            }
        }
        throw new IllegalArgumentException("no " + name + " field to change");
    }

    /** A field put at the top of the header block, above the signatures, as a later hop would add it. */
    static byte[] fieldAddedOnTop(byte[] message, String field) {
        RawMessage raw = RawMessage.parse(message);
        List<String> fields = new ArrayList<>(raw.fields());
        fields.add(0, field);
        return raw.withFields(fields).bytes();
    }
}
