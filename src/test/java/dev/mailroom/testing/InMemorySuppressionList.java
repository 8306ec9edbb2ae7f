package dev.mailroom.testing;

import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.ledger.SuppressionScope;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link SuppressionList} in memory that keeps DynamoDbSuppressionList's rules (SuppressionListContract
 * runs against both): one entry per scope and address, global over tenant, expired entries invisible,
 * automatic entries never replacing one in force. Counts its batched reads, so a test can say a job
 * was checked once. Thread-safe.
 */
public final class InMemorySuppressionList implements SuppressionList {

    private final Map<String, Suppression> entries = new TreeMap<>();
    private int reads;

    @Override
    public synchronized Map<String, Suppression> find(Collection<String> addresses, Optional<String> tenant, Instant now) {
        reads++;
        Map<String, Suppression> found = new HashMap<>();
        for (String address : addresses) {
            Optional<Suppression> global = inForce(SuppressionScope.GLOBAL, address, now);
            Optional<Suppression> own = tenant.flatMap(name -> inForce(SuppressionScope.tenant(name), address, now));
            global.or(() -> own).ifPresent(entry -> found.put(address, entry));
        }
        return found;
    }

    @Override
    public synchronized void put(Suppression entry) {
        entries.put(entry.key(), entry);
    }

    @Override
    public synchronized boolean putIfAbsent(Suppression entry, Instant now) {
        if (inForce(entry.scope(), entry.address(), now).isPresent()) {
            return false;
        }
        entries.put(entry.key(), entry);
        return true;
    }

    @Override
    public synchronized boolean remove(SuppressionScope scope, String address) {
        return entries.remove(new Suppression(scope, address, dev.mailroom.ledger.SuppressionReason.MANUAL, "",
                Instant.EPOCH, null).key()) != null;
    }

    @Override
    public synchronized List<Suppression> list(Instant now) {
        return entries.values().stream().filter(entry -> entry.inForceAt(now)).toList();
    }

    /** How many batched reads ({@link #find}) were made. */
    public synchronized int reads() {
        return reads;
    }

    private Optional<Suppression> inForce(SuppressionScope scope, String address, Instant now) {
        return Optional.ofNullable(entries.get(new Suppression(scope, address, dev.mailroom.ledger.SuppressionReason.MANUAL,
                "", Instant.EPOCH, null).key())).filter(entry -> entry.inForceAt(now));
    }
}
