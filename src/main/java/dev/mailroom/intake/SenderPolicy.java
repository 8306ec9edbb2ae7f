package dev.mailroom.intake;

import java.util.Locale;
import java.util.Set;

/**
 * The domains this deployment may send as, for both the From header and the envelope sender. A job
 * from any other domain is rejected: the queue must never become an open relay. A listed domain
 * also covers its subdomains ({@code example.com} allows {@code mail.example.com}).
 */
public final class SenderPolicy {

    private final Set<String> allowedDomains;

    public SenderPolicy(Set<String> allowedDomains) {
        this.allowedDomains = Set.copyOf(allowedDomains);
    }

    public boolean allows(String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        for (String allowed : allowedDomains) {
            if (domain.equals(allowed) || domain.endsWith("." + allowed)) {
                return true;
            }
        }
        return false;
    }
}
