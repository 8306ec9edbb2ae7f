package dev.mailroom.intake;

import dev.mailroom.job.AddressForm;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The domains this deployment may send as, for both the From header and the envelope sender. A job
 * from any other domain is rejected: the queue must never become an open relay. A listed domain
 * also covers its subdomains ({@code example.com} allows {@code mail.example.com}).
 *
 * <p>Domains are compared in their normal form ({@link AddressForm#domain}: lower-case A-labels), so
 * a list naming {@code bücher.example} allows {@code billing@xn--bcher-kva.example} and the other
 * way round; the local part, ASCII or not, plays no part.
 *
 * <p>And, unless unsigned mail is allowed, the From domains it can sign for: mail a receiver cannot
 * authenticate is junked or refused by the large mailbox providers, and every such message counts
 * against the domain's reputation, so by default a job whose From domain has no DKIM key is
 * rejected rather than sent ({@code MAILROOM_DKIM_MISSING_KEY}).
 */
public final class SenderPolicy {

    private final Set<String> allowedDomains;
    private final Predicate<String> signable;

    /**
     * Sends unsigned what cannot be signed.
     *
     * @throws IllegalArgumentException when a domain is not a valid host name
     */
    public SenderPolicy(Set<String> allowedDomains) {
        this(allowedDomains, domain -> true);
    }

    /**
     * @param signable whether mail from a domain (in normal form) may be sent: it has a DKIM key, or
     *                 unsigned mail is allowed; asked only for From domains already allowed
     * @throws IllegalArgumentException when a domain is not a valid host name
     */
    public SenderPolicy(Set<String> allowedDomains, Predicate<String> signable) {
        this.allowedDomains = allowedDomains.stream().map(AddressForm::domain).collect(Collectors.toUnmodifiableSet());
        this.signable = signable;
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

    /** Why mail with this From address may not be sent (the domain is not allowed, or cannot be signed); empty if it may. */
    public Optional<String> refusesFrom(String address) {
        if (!allows(address)) {
            return Optional.of("domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
        }
        String domain = AddressForm.domainOf(address);
        return signable.test(domain) ? Optional.empty()
                : Optional.of("no DKIM key for " + domain + " (MAILROOM_DKIM_MISSING_KEY=reject)");
    }
}
