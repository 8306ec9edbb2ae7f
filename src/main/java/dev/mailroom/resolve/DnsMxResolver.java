package dev.mailroom.resolve;

import static dev.mailroom.resolve.DnsLookups.hostName;

import dev.mailroom.budget.Deadline;
import dev.mailroom.resolve.DnsLookups.Addresses;
import dev.mailroom.resolve.DnsLookups.DeadlineCut;
import dev.mailroom.resolve.DnsLookups.LookupTrouble;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * MX resolution with dnsjava (RFC 5321 §5.1), answers cached for their TTL so that a warm
 * Lambda container reuses them; whole routes are also remembered for a few seconds
 * ({@link #ROUTE_MEMO}).
 *
 * <ul>
 *   <li>MX records sorted by preference; equal preferences in random order.</li>
 *   <li>No MX but an A/AAAA record: the domain itself is the implicit MX.</li>
 *   <li>Null MX (RFC 7505), NXDOMAIN: permanent routes; SERVFAIL and timeouts: transient.</li>
 * </ul>
 *
 * <p>Host addresses are resolved through the same servers (IPv4 first), so one resolver
 * configuration governs every lookup a delivery makes. The A and AAAA lookups of all of a domain's
 * MX hosts run at once, so that several slow hosts cost the wait for one, not its sum; the hosts
 * keep their preference order.
 *
 * <p>The attempt's deadline bounds the resolution ({@link DnsLookups}): no lookup starts once it has
 * passed, and no answer is waited for beyond it. A resolution it cuts short is a transient
 * {@link Route.LookupFailed}.
 */
public final class DnsMxResolver implements MxResolver {

    /**
     * How long a route found is used again without asking dnsjava (never longer than the smallest
     * TTL behind it). Its cache answers too, but through three lookups per route, each a chain of
     * futures: ~14% of the engine's CPU per message in a burst of jobs to one domain (bench §1).
     */
    static final Duration ROUTE_MEMO = Duration.ofSeconds(5);
    private static final int MEMO_SWEEP_SIZE = 1024;

    /** A route of hosts, in canonical order; the order of equal preferences is drawn per call. */
    private record Memo(List<MxHost> hosts, long expiresNanos) {
    }

    private final Map<String, Memo> memo = new ConcurrentHashMap<>();
    private final DnsLookups lookups;
    private final Random random;

    /**
     * @param servers DNS servers to ask, in order; empty means the system's (resolv.conf)
     * @param timeout per-query timeout, also the bound on each lookup as a whole
     */
    public static DnsMxResolver create(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> targets = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : targets) {
            // Each server's own timeout is the one an asynchronous lookup waits for: the
            // ExtendedResolver's applies only to its blocking send (dnsjava's default is 10 s).
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(timeout);
            resolvers.add(simple);
        }
        ExtendedResolver resolver = new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        resolver.setRetries(1);
        return new DnsMxResolver(resolver, timeout, new Random());
    }

    DnsMxResolver(Resolver resolver, Duration timeout, Random random) {
        this.lookups = new DnsLookups(resolver, timeout);
        this.random = random;
    }

    @Override
    public Route resolve(String domain, Deadline deadline) {
        Memo known = memo.get(domain);
        if (known != null && System.nanoTime() - known.expiresNanos() < 0) {
            return new Route.Hosts(inPreferenceOrder(known.hosts(), MxHost::preference, Comparator.comparing(MxHost::name)));
        }
        Name name;
        try {
            name = Name.fromString(domain, Name.root);
        } catch (TextParseException e) {
            return new Route.NoSuchDomain("invalid domain name: " + domain);
        }
        try {
            return resolve(name, domain, deadline);
        } catch (DeadlineCut e) {
            return new Route.LookupFailed("DNS resolution for " + domain + " cut by the attempt's deadline ("
                    + e.getMessage() + ")");
        }
    }

    private Route resolve(Name name, String domain, Deadline deadline) throws DeadlineCut {
        List<MXRecord> mxs;
        try {
            mxs = lookups.records(name, Type.MX, deadline, "MX lookup").stream()
                    .filter(MXRecord.class::isInstance).map(MXRecord.class::cast).toList();
        } catch (NoSuchDomainException e) {
            return new Route.NoSuchDomain("NXDOMAIN for " + domain);
        } catch (NoSuchRRSetException e) {
            mxs = List.of();
        } catch (LookupTrouble e) {
            return new Route.LookupFailed("MX lookup for " + domain + " failed: " + e.getMessage());
        }
        return mxs.isEmpty() ? implicitMx(name, domain, deadline) : routeVia(mxs, domain, deadline);
    }

    /** Remembers a route every lookup of which succeeded, for at most its smallest TTL. */
    private Route remember(String domain, List<MxHost> hosts, long ttlSeconds) {
        Duration keep = ROUTE_MEMO.compareTo(Duration.ofSeconds(ttlSeconds)) < 0 ? ROUTE_MEMO : Duration.ofSeconds(ttlSeconds);
        if (!keep.isZero()) {
            long now = System.nanoTime();
            if (memo.size() >= MEMO_SWEEP_SIZE) {
                memo.values().removeIf(entry -> now - entry.expiresNanos() >= 0);
            }
            memo.put(domain, new Memo(hosts, now + keep.toNanos()));
        }
        return new Route.Hosts(hosts);
    }

    private Route routeVia(List<MXRecord> mxs, String domain, Deadline deadline) throws DeadlineCut {
        // RFC 7505 §3: a single MX of preference 0 whose exchange is the root means "no mail".
        if (mxs.size() == 1 && mxs.get(0).getTarget().equals(Name.root)) {
            return new Route.NullMx();
        }
        List<MXRecord> ordered = inPreferenceOrder(mxs.stream().filter(mx -> !mx.getTarget().equals(Name.root)).toList(),
                MXRecord::getPriority, Comparator.comparing(MXRecord::getTarget));
        List<MxHost> hosts = new ArrayList<>();
        boolean lookupFailed = false;
        long ttlSeconds = mxs.stream().mapToLong(Record::getTTL).min().orElse(0);
        List<Addresses> found = lookups.addressesOf(ordered.stream().map(MXRecord::getTarget).toList(), deadline);
        for (int i = 0; i < ordered.size(); i++) {
            MXRecord mx = ordered.get(i);
            Addresses addresses = found.get(i);
            lookupFailed |= addresses.failed();
            ttlSeconds = Math.min(ttlSeconds, addresses.ttlSeconds());
            if (!addresses.found().isEmpty()) {
                hosts.add(new MxHost(hostName(mx.getTarget()), mx.getPriority(), addresses.found()));
            }
        }
        if (!hosts.isEmpty()) {
            return lookupFailed ? new Route.Hosts(hosts) : remember(domain, hosts, ttlSeconds);
        }
        String detail = "no address for any MX host of " + domain;
        return lookupFailed ? new Route.LookupFailed(detail) : new Route.NoAddress(detail);
    }

    // RFC 5321 §5.1: "If an empty list of MXs is returned, the address is treated as if it was
    // associated with an implicit MX RR, with a preference of 0, pointing to that host."
    private Route implicitMx(Name name, String domain, Deadline deadline) throws DeadlineCut {
        Addresses addresses = lookups.addressesOf(List.of(name), deadline).get(0);
        if (!addresses.found().isEmpty()) {
            List<MxHost> hosts = List.of(new MxHost(hostName(name), 0, addresses.found()));
            return addresses.failed() ? new Route.Hosts(hosts) : remember(domain, hosts, addresses.ttlSeconds());
        }
        if (addresses.failed()) {
            return new Route.LookupFailed("address lookup for " + domain + " failed");
        }
        return new Route.NoSuchDomain("no MX and no A/AAAA record for " + domain);
    }

    /** Preference ascending; equal preferences shuffled (RFC 5321 §5.1), from a canonical order so a seed repeats. */
    private <T> List<T> inPreferenceOrder(List<T> items, ToIntFunction<T> preference, Comparator<T> canonical) {
        Map<Integer, List<T>> byPreference = new TreeMap<>();
        for (T item : items) {
            byPreference.computeIfAbsent(preference.applyAsInt(item), p -> new ArrayList<>()).add(item);
        }
        List<T> ordered = new ArrayList<>();
        for (List<T> group : byPreference.values()) {
            group.sort(canonical);
            Collections.shuffle(group, random);
            ordered.addAll(group);
        }
        return ordered;
    }

}
