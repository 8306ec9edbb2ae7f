package dev.mailroom.ledger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The addresses Mailroom never sends to (DESIGN.md §7), globally or per tenant. Addresses are given
 * and returned in the ledger's normal form of a recipient (its job record's key): callers normalise,
 * the list compares as given. Entries past their {@link Suppression#expiresAt} are treated as absent
 * by every read, whether or not they are still stored.
 */
public interface SuppressionList {

    /**
     * The entries in force for {@code addresses} — global ones and {@code tenant}'s — in one batched
     * read, however many addresses: this is what a job is checked with, once per attempt.
     *
     * @param tenant the job's {@code tags.tenant}, if it has one
     * @return address → the entry that suppresses it (the global one when both do); absent ones are not suppressed
     */
    Map<String, Suppression> find(Collection<String> addresses, Optional<String> tenant, Instant now);

    /** Adds {@code entry}, replacing any entry for the same scope and address (an operator's word is final). */
    void put(Suppression entry);

    /**
     * Adds {@code entry} unless one in force at {@code now} already exists for the same scope and
     * address (its reason, source and expiry stay): what the automatic rules use.
     *
     * @return whether it was added
     */
    boolean putIfAbsent(Suppression entry, Instant now);

    /** @return whether there was an entry (in force or not) to remove */
    boolean remove(SuppressionScope scope, String address);

    /** Every entry in force at {@code now}, in key order: an operator's view (a full read of the list). */
    List<Suppression> list(Instant now);
}
