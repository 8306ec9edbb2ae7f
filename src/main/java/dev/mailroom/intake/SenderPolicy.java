package dev.mailroom.intake;

import dev.mailroom.job.AddressForm;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The domains this deployment may send as, for both the From header and the envelope sender. A job
 * from any other domain is rejected: the queue must never become an open relay. A listed domain
 * also covers its subdomains ({@code example.com} allows {@code mail.example.com}).
 *
 * <p>Domains are compared in their normal form ({@link AddressForm#domain}: lower-case A-labels), so
 * a list naming {@code bücher.example} allows {@code billing@xn--bcher-kva.example} and the other
 * way round; the local part, ASCII or not, plays no part.
 */
public final class SenderPolicy {

    private final Set<String> allowedDomains;

    /** @throws IllegalArgumentException when a domain is not a valid host name */
    public SenderPolicy(Set<String> allowedDomains) {
        this.allowedDomains = allowedDomains.stream().map(AddressForm::domain).collect(Collectors.toUnmodifiableSet());
    }

    public boolean allows(String address) {
        String domain = AddressForm.domainOf(address);
        for (String allowed : allowedDomains) {
            if (domain.equals(allowed) || domain.endsWith("." + allowed)) {
                return true;
            }
        }
        return false;
    }
}
