package dev.mailroom.sign;

import java.net.IDN;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A deployment's signing keys by signing domain, and the choice of keys for a message: those of its
 * From domain, else of the nearest parent domain that has keys. A parent's signature aligns with
 * the From domain under DMARC's default relaxed alignment ({@code adkim=r}, RFC 7489 §3.1.1: the
 * same organizational domain), so {@code example.com}'s keys sign {@code news@mail.example.com}; a
 * domain publishing {@code adkim=s} needs keys of its own. Several keys of one domain all sign (an
 * RSA and an Ed25519 key side by side, RFC 8463 §5); a selector being retired is simply left out,
 * its record kept in DNS until the mail it signed has been delivered. Immutable.
 */
public final class DkimKeyring {

    private final Map<String, List<DkimKey>> byDomain = new LinkedHashMap<>();

    /** @throws DkimException.BadKey when two keys share a domain and selector (one DNS record each) */
    public DkimKeyring(List<DkimKey> keys) {
        Set<String> records = new HashSet<>();
        for (DkimKey key : keys) {
            if (!records.add(key.dnsName())) {
                throw new DkimException.BadKey("two keys for " + key.dnsName() + ": a selector names one key");
            }
            byDomain.computeIfAbsent(key.domain(), domain -> new ArrayList<>()).add(key);
        }
        byDomain.replaceAll((domain, domainKeys) -> List.copyOf(domainKeys));
    }

    /**
     * The keys that sign mail from {@code fromDomain} (as written in the From address: any letter
     * case, an internationalized domain in either form), in the order given; empty when neither it
     * nor any parent domain has a key.
     */
    public List<DkimKey> forFrom(String fromDomain) {
        String domain = normalized(fromDomain);
        while (!domain.isEmpty()) {
            List<DkimKey> keys = byDomain.get(domain);
            if (keys != null) {
                return keys;
            }
            int dot = domain.indexOf('.');
            domain = dot < 0 ? "" : domain.substring(dot + 1);
        }
        return List.of();
    }

    public boolean isEmpty() {
        return byDomain.isEmpty();
    }

    /** Lower-case A-labels (RFC 5890 §2.3.2.1), the form the keys' {@code d=} is written in. */
    private static String normalized(String domain) {
        String trimmed = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        try {
            return IDN.toASCII(trimmed, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return trimmed.toLowerCase(Locale.ROOT);
        }
    }

    /** The keys' DNS names, by domain; never key material. */
    @Override
    public String toString() {
        return "DkimKeyring" + byDomain.values().stream().flatMap(List::stream).map(DkimKey::dnsName).toList();
    }
}
