package dev.mailroom.feedback;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Mail addresses as reports write them: "rfc822; a@b", "<a@b>", "a@b...", header lists. */
final class Addresses {

    /* A dot-atom local part or a quoted one, "@", a domain of labels; what reports actually contain. */
    private static final Pattern ADDRESS = Pattern.compile(
            "(?<![\\w.+=-])([\\w!#$%&'*+/=?^`{|}~-]+(?:\\.[\\w!#$%&'*+/=?^`{|}~-]+)*|\"[^\"\\r\\n]{1,64}\")"
                    + "@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z][A-Za-z0-9-]{0,62})(?![\\w-])");

    /* Mailbox names that send reports rather than receive mail (RFC 2142 §4, RFC 3834 §2). */
    private static final Pattern SYSTEM_LOCAL_PART = Pattern.compile(
            "mailer-daemon|postmaster|mail-daemon|maildaemon|mailerdaemon|daemon|root|nobody|noreply|no-reply|"
                    + "mail-delivery-subsystem|mailer|mmdf|abuse|bounces?",
            Pattern.CASE_INSENSITIVE);

    private Addresses() {
    }

    /** All addresses in the text, in order of first appearance, normalised. */
    static List<String> in(String text) {
        Set<String> found = new LinkedHashSet<>();
        if (text != null) {
            Matcher m = ADDRESS.matcher(text);
            while (m.find()) {
                found.add(normalise(m.group(1) + "@" + m.group(2)));
            }
        }
        return new ArrayList<>(found);
    }

    /** The address in a DSN address field ("rfc822; a@b", RFC 3464 §2.3.2), if any. */
    static Optional<String> typed(String field) {
        if (field == null) {
            return Optional.empty();
        }
        int semicolon = field.indexOf(';');
        String value = semicolon < 0 ? field : field.substring(semicolon + 1);
        List<String> found = in(value);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The addresses of an address-list header value, falling back to a plain scan when it is malformed. */
    static List<String> header(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        try {
            List<String> out = new ArrayList<>();
            for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
                if (address.getAddress() != null && address.getAddress().contains("@")) {
                    out.add(normalise(address.getAddress()));
                }
            }
            return out.isEmpty() ? in(value) : out;
        } catch (AddressException | RuntimeException e) {
            return in(value);
        }
    }

    /** Whether the address is a report sender's (mailer-daemon, postmaster…), never a bounced recipient. */
    static boolean isSystem(String address) {
        int at = address.indexOf('@');
        return at > 0 && SYSTEM_LOCAL_PART.matcher(address.substring(0, at)).matches();
    }

    /** Domains are case-insensitive (RFC 5321 §2.4); local parts are kept as written. */
    static String normalise(String address) {
        String trimmed = address.trim();
        int at = trimmed.lastIndexOf('@');
        return at < 0 ? trimmed : trimmed.substring(0, at) + "@" + trimmed.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
