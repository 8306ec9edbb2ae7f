package dev.mailroom.resolve;

import dev.mailroom.budget.Deadline;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * dnsjava lookups (answers cached for their TTL) under an attempt's deadline: none starts once it
 * has passed, and none is waited for beyond it, nor beyond {@code timeout × 3} from its start, a
 * guard against a lookup dnsjava has not given up on. Lookups started together share one bound, so
 * their waits overlap rather than add up. A DNS failure is a typed exception, as dnsjava's are;
 * none leaves the package.
 */
final class DnsLookups {

    private final LookupSession session;
    private final Duration timeout;

    /** @param timeout the resolver's per-query timeout; a lookup is given up after three */
    DnsLookups(Resolver resolver, Duration timeout) {
        this.session = LookupSession.builder().resolver(resolver).cache(new Cache(DClass.IN)).build();
        this.timeout = timeout;
    }

    /**
     * The records of one lookup.
     *
     * @param lookup what it is, for the account of a deadline that cuts it
     */
    List<Record> records(Name name, int type, Deadline deadline, String lookup)
            throws NoSuchDomainException, NoSuchRRSetException, LookupTrouble, DeadlineCut {
        return await(start(name, type, deadline), new Bound(timeout, deadline), lookup);
    }

    /** @param ttlSeconds the smallest TTL among the records found (a day when none was) */
    record Addresses(List<InetAddress> found, boolean failed, long ttlSeconds) {
    }

    /** A host's two lookups, started. */
    private record Pending(Name host, CompletableFuture<List<Record>> v4, CompletableFuture<List<Record>> v6) {
    }

    /**
     * The addresses of each of {@code hosts} (IPv4 first), in their order. Every lookup starts at
     * once and all of them share one bound, so the wait for a silent host overlaps the others'.
     */
    List<Addresses> addressesOf(List<Name> hosts, Deadline deadline) throws DeadlineCut {
        List<Pending> pending = new ArrayList<>();
        try {
            for (Name host : hosts) {
                pending.add(new Pending(host, start(host, Type.A, deadline), start(host, Type.AAAA, deadline)));
            }
            Bound bound = new Bound(timeout, deadline);
            List<Addresses> addresses = new ArrayList<>();
            for (Pending lookups : pending) {
                addresses.add(addressesOf(lookups, bound));
            }
            return addresses;
        } finally {
            // When the deadline cut the wait short, what is still out is not waited for.
            pending.forEach(lookups -> {
                lookups.v4().cancel(true);
                lookups.v6().cancel(true);
            });
        }
    }

    private static Addresses addressesOf(Pending lookups, Bound bound) throws DeadlineCut {
        List<InetAddress> found = new ArrayList<>();
        boolean failed = false;
        long ttlSeconds = Duration.ofDays(1).toSeconds();
        for (CompletableFuture<List<Record>> answer : List.of(lookups.v4(), lookups.v6())) {
            try {
                List<Record> records = await(answer, bound, "address lookup for " + hostName(lookups.host()));
                found.addAll(records.stream().flatMap(DnsLookups::addressOf).toList());
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

    /** Starts a lookup, unless the deadline has passed. */
    private CompletableFuture<List<Record>> start(Name name, int type, Deadline deadline) throws DeadlineCut {
        if (deadline.passed()) {
            throw new DeadlineCut(Type.string(type) + " lookup for " + hostName(name) + " not started");
        }
        return session.lookupAsync(name, type).thenApply(result -> result.getRecords()).toCompletableFuture();
    }

    /** How long lookups started together may be waited for: the guard's end, or the deadline if it comes first. */
    private record Bound(long guardEndNanos, Deadline deadline) {
        Bound(Duration timeout, Deadline deadline) {
            this(System.nanoTime() + timeout.multipliedBy(3).toNanos(), deadline);
        }
    }

    private static List<Record> await(CompletableFuture<List<Record>> answer, Bound bound, String lookup)
            throws NoSuchDomainException, NoSuchRRSetException, LookupTrouble, DeadlineCut {
        Duration toGuard = Duration.ofNanos(bound.guardEndNanos() - System.nanoTime());
        Duration toDeadline = bound.deadline().remaining();
        boolean deadlineFirst = toDeadline.compareTo(toGuard) <= 0;
        try {
            return answer.get(Math.max(0, (deadlineFirst ? toDeadline : toGuard).toNanos()), TimeUnit.NANOSECONDS);
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
            if (deadlineFirst) {
                throw new DeadlineCut(lookup);
            }
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

    static String hostName(Name name) {
        return name.toString(true);
    }

    /** SERVFAIL, timeout or I/O trouble: the lookup may succeed later. */
    static final class LookupTrouble extends Exception {
        LookupTrouble(String message) {
            super(message, null, false, false);
        }
    }

    /** The deadline came before the resolution was done; the message says what was outstanding. */
    static final class DeadlineCut extends Exception {
        DeadlineCut(String outstanding) {
            super(outstanding, null, false, false);
        }
    }
}
