package dev.mailroom.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the suppression list: mail to {@code address} within {@code scope} is never sent.
 *
 * @param address   in the ledger's normal form of a recipient (the key its job record uses)
 * @param source    where it came from: the job id of an SMTP-time bounce, a bounce's Message-ID, or an
 *                  operator's words
 * @param at        when it was added
 * @param expiresAt when it stops applying, or null for never; an expired entry no longer suppresses,
 *                  even while DynamoDB's TTL (which may take days) has not yet removed it
 */
public record Suppression(SuppressionScope scope, String address, SuppressionReason reason, String source,
                          Instant at, Instant expiresAt) {

    public Suppression {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
        source = source == null ? "" : source;
    }

    /** The item key: scope and address, {@code global#ann@example.org} or {@code tenant:acme#ann@example.org}. */
    public String key() {
        return key(scope, address);
    }

    static String key(SuppressionScope scope, String address) {
        return scope.key() + "#" + address;
    }

    /** Whether it suppresses at {@code now}. */
    public boolean inForceAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }
}
