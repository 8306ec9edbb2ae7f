package dev.mailroom.job;

/** One header field of a message, as the message carries it (RFC 5322 §2.2): name and unfolded value. */
public record HeaderField(String name, String value) {

    /**
     * RFC 5322 §3.6.8: a field name is one or more printable US-ASCII characters other than
     * {@code :}. The client checks a custom header's name by it; the intake, which also caps the
     * length and keeps Mailroom's own fields, enforces it.
     */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                return false;
            }
        }
        return true;
    }
}
