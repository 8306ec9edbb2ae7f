package dev.mailroom.intake;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict address parsing (RFC 5322 via Jakarta Mail's strict mode): exactly one address, with a
 * local part and a domain, no groups, no control characters. An internationalised domain is
 * converted to its ASCII form (IDNA, RFC 5891); a non-ASCII local part would need SMTPUTF8, which
 * this version does not send, so it is refused rather than mangled.
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
        String local = address.substring(0, at);
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(local)) {
            throw new JobRejectedException(field, "a non-ASCII local part needs SMTPUTF8, which is not supported");
        }
        String domain;
        try {
            domain = IDN.toASCII(address.substring(at + 1), IDN.USE_STD3_ASCII_RULES);
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
