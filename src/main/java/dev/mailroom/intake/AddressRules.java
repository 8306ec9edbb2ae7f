package dev.mailroom.intake;

import dev.mailroom.job.AddressForm;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict address parsing (RFC 5322 via Jakarta Mail's strict mode, with RFC 6532 §3.2's UTF-8 in
 * local parts): exactly one address, with a local part and a domain, no groups, no control
 * characters. The address comes out in the form Mailroom sends it in: the local part as written but
 * in Unicode NFC (RFC 6532 §3.1), the domain as a lower-case A-label (IDNA, RFC 5891) — see
 * {@link AddressForm}. A non-ASCII local part is valid; such a message then needs an SMTPUTF8
 * transaction (RFC 6531), which delivery asks for.
 */
final class AddressRules {

    private AddressRules() {
    }

    static InternetAddress parse(String field, String value) {
        List<InternetAddress> all = parseList(field, value);
        if (all.size() != 1) {
            throw new JobRejectedException(field, "must hold exactly one address");
        }
        return all.get(0);
    }

    /**
     * A mailbox-list (RFC 5322 §3.4: a From field may name several authors), each address held to
     * the rules above; no groups.
     */
    static List<InternetAddress> parseList(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new JobRejectedException(field, "is empty");
        }
        HeaderRules.requireNoControlCharacters(field, value);
        List<InternetAddress> mailboxes = new ArrayList<>();
        try {
            for (InternetAddress parsed : InternetAddress.parseHeader(value, true)) {
                if (parsed.isGroup()) {
                    throw new JobRejectedException(field, "groups are not accepted");
                }
                parsed.validate();
                mailboxes.add(asciiDomain(field, parsed));
            }
        } catch (AddressException e) {
            throw new JobRejectedException(field, "not a valid address");
        }
        if (mailboxes.isEmpty()) {
            throw new JobRejectedException(field, "is empty");
        }
        return mailboxes;
    }

    private static InternetAddress asciiDomain(String field, InternetAddress parsed) {
        String address = parsed.getAddress();
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new JobRejectedException(field, "needs a local part and a domain");
        }
        String local = AddressForm.nfc(address.substring(0, at));
        // A lone surrogate is no character: it has no UTF-8 form to send (RFC 3629).
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(local)) {
            throw new JobRejectedException(field, "the local part is not valid Unicode");
        }
        String domain;
        try {
            domain = AddressForm.domain(address.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new JobRejectedException(field, "the domain is not a valid host name");
        }
        if (!domain.contains(".") && !domain.startsWith("[")) {
            throw new JobRejectedException(field, "the domain must be fully qualified");
        }
        try {
            return new InternetAddress(local + "@" + domain, parsed.getPersonal(), "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }
}
