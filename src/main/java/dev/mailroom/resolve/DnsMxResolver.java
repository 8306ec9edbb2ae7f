package dev.mailroom.resolve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
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
 * configuration governs every lookup a delivery makes.
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
    private final LookupSession lookups;
    private final Random random;
    private final Duration timeout;

    /**
     * @param servers DNS servers to ask, in order; empty means the system's (resolv.conf)
     * @param timeout per-query timeout, also the bound on each lookup as a whole
     */
    public static DnsMxResolver create(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> targets = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : targets) {
            resolvers.add(new SimpleResolver(server));
        }
        ExtendedResolver resolver = new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        resolver.setRetries(1);
        return new DnsMxResolver(resolver, timeout, new Random());
    }

    DnsMxResolver(Resolver resolver, Duration timeout, Random random) {
        this.lookups = LookupSession.builder().resolver(resolver).cache(new Cache(DClass.IN)).build();
        this.timeout = timeout;
        this.random = random;
    }

    @Override
    public Route resolve(String domain) {
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
            List<MXRecord> mxs = lookup(name, Type.MX).stream()
                    .filter(MXRecord.class::isInstance).map(MXRecord.class::cast).toList();
            return mxs.isEmpty() ? implicitMx(name, domain) : routeVia(mxs, domain);
        } catch (NoSuchDomainException e) {
            return new Route.NoSuchDomain("NXDOMAIN for " + domain);
        } catch (NoSuchRRSetException e) {
            return implicitMx(name, domain);
        } catch (LookupTrouble e) {
            return new Route.LookupFailed("MX lookup for " + domain + " failed: " + e.getMessage());
        }
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

    private Route routeVia(List<MXRecord> mxs, String domain) {
        // RFC 7505 §3: a single MX of preference 0 whose exchange is the root means "no mail".
        if (mxs.size() == 1 && mxs.get(0).getTarget().equals(Name.root)) {
            return new Route.NullMx();
        }
        List<MXRecord> ordered = inPreferenceOrder(mxs.stream().filter(mx -> !mx.getTarget().equals(Name.root)).toList(),
                MXRecord::getPriority, Comparator.comparing(MXRecord::getTarget));
        List<MxHost> hosts = new ArrayList<>();
        boolean lookupFailed = false;
        long ttlSeconds = mxs.stream().mapToLong(Record::getTTL).min().orElse(0);
        for (MXRecord mx : ordered) {
            Addresses addresses = addressesOf(mx.getTarget());
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
    private Route implicitMx(Name name, String domain) {
        Addresses addresses = addressesOf(name);
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

    /** @param ttlSeconds the smallest TTL among the records found (a day when none was) */
    private record Addresses(List<InetAddress> found, boolean failed, long ttlSeconds) {
    }

    private Addresses addressesOf(Name host) {
        CompletableFuture<List<Record>> v4 = lookupAsync(host, Type.A);
        CompletableFuture<List<Record>> v6 = lookupAsync(host, Type.AAAA);
        List<InetAddress> found = new ArrayList<>();
        boolean failed = false;
        long ttlSeconds = Duration.ofDays(1).toSeconds();
        for (CompletableFuture<List<Record>> answer : List.of(v4, v6)) {
            try {
                List<Record> records = await(answer);
                found.addAll(records.stream().flatMap(DnsMxResolver::addressOf).toList());
                ttlSeconds = Math.min(ttlSeconds, records.stream().mapToLong(Record::getTTL).min().orElse(ttlSeconds));
            } catch (NoSuchDomainException | NoSuchRRSetException e) {
                // no address of this family
            } catch (LookupTrouble e) {
                failed = true;
            }
        }
        return new Addresses(found, failed, ttlSeconds);
    }

    private static Stream<InetAddress> addressOf(Record record) {
        if (record instanceof ARecord a) {
            return Stream.of(a.getAddress());
        }
        if (record instanceof AAAARecord aaaa) {
            return Stream.of(aaaa.getAddress());
        }
        return Stream.empty();
    }

    private List<Record> lookup(Name name, int type)
            throws NoSuchDomainException, NoSuchRRSetException, LookupTrouble {
        return await(lookupAsync(name, type));
    }

    private CompletableFuture<List<Record>> lookupAsync(Name name, int type) {
        return lookups.lookupAsync(name, type).thenApply(result -> result.getRecords()).toCompletableFuture();
    }

    private List<Record> await(CompletableFuture<List<Record>> answer)
            throws NoSuchDomainException, NoSuchRRSetException, LookupTrouble {
        try {
            // The resolver has its own timeout and one retry; this bound only guards against a hang.
            return answer.get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchDomainException nxdomain) {
                throw nxdomain;
            }
            if (cause instanceof NoSuchRRSetException nodata) {
                throw nodata;
            }
            throw new LookupTrouble(describe(cause));
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new LookupTrouble("timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LookupTrouble("interrupted");
        }
    }

    private static String describe(Throwable cause) {
        String kind = cause.getClass().getSimpleName();
        return cause.getMessage() == null ? kind : kind + ": " + cause.getMessage();
    }

    private static String hostName(Name name) {
        return name.toString(true);
    }

    /** SERVFAIL, timeout or I/O trouble: the lookup may succeed later. */
    private static final class LookupTrouble extends Exception {
        LookupTrouble(String message) {
            super(message, null, false, false);
        }
    }
}
