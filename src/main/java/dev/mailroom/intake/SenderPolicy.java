package dev.mailroom.intake;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The domains this deployment may send as, for both the From header and the envelope sender. A job
 * from any other domain is rejected: the queue must never become an open relay. A listed domain
 * also covers its subdomains ({@code example.com} allows {@code mail.example.com}).
 *
 * <p>And, unless unsigned mail is allowed, the From domains it can sign for: mail a receiver cannot
 * authenticate is junked or refused by the large mailbox providers, and every such message counts
 * against the domain's reputation, so by default a job whose From domain has no DKIM key is
 * rejected rather than sent ({@code MAILROOM_DKIM_MISSING_KEY}).
 */
public final class SenderPolicy {

    private final Set<String> allowedDomains;
    private final Predicate<String> signable;

    /** Sends unsigned what cannot be signed. */
    public SenderPolicy(Set<String> allowedDomains) {
        this(allowedDomains, domain -> true);
    }

    /**
     * @param signable whether mail from a domain may be sent: it has a DKIM key, or unsigned mail is
     *                 allowed; asked only for From domains already allowed
     */
    public SenderPolicy(Set<String> allowedDomains, Predicate<String> signable) {
        this.allowedDomains = Set.copyOf(allowedDomains);
        this.signable = signable;
    }

    public boolean allows(String address) {
        String domain = domainOf(address);
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
        String domain = domainOf(address);
        return signable.test(domain) ? Optional.empty()
                : Optional.of("no DKIM key for " + domain + " (MAILROOM_DKIM_MISSING_KEY=reject)");
    }

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
