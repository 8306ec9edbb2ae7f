package dev.mailroom.client;

import java.time.Instant;
import java.util.Objects;

/**
 * An address Mailroom never sends to: every job's ({@code tenant} null) or one tenant's (jobs tagged
 * {@code tags.tenant}). A value of the client's own, like {@link SendStatus}: build one with
 * {@link #of}, then {@link #forTenant}, {@link #because} and {@link #until} as needed, and give it to
 * {@link MailroomClient#suppress}.
 *
 * @param address   the mailbox; the client stores it in the service's normal form (lower case, the
 *                  domain as an A-label), which is how it comes back
 * @param tenant    the tenant it applies to, or null for every job
 * @param source    where it came from: a job id, a bounce's Message-ID, an operator's note
 * @param addedAt   when it was added; null in an entry not yet given to {@link MailroomClient#suppress}
 * @param expiresAt when it stops applying, or null for never
 */
public record SuppressionEntry(String address, String tenant, Reason reason, String source, Instant addedAt,
                               Instant expiresAt) {

    /** Why an address is suppressed. */
    public enum Reason {
        /** A permanent failure said the mailbox or domain is dead (added by the service). */
        BOUNCE,
        /** A spam complaint (added by the service). */
        COMPLAINT,
        /** The recipient unsubscribed. */
        UNSUBSCRIBE,
        /** An operator's decision. */
        MANUAL
    }

    public SuppressionEntry {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(reason, "reason");
        source = source == null ? "" : source;
        if (tenant != null && tenant.isBlank()) {
            throw new IllegalArgumentException("tenant: must not be blank (null for every tenant)");
        }
    }

    /** A MANUAL, global, permanent entry for {@code address}. */
    public static SuppressionEntry of(String address, String source) {
        return new SuppressionEntry(address, null, Reason.MANUAL, source, null, null);
    }

    /** @param tenant the tenant, or null for every job */
    public SuppressionEntry forTenant(String tenant) {
        return new SuppressionEntry(address, tenant, reason, source, addedAt, expiresAt);
    }

    public SuppressionEntry because(Reason reason) {
        return new SuppressionEntry(address, tenant, reason, source, addedAt, expiresAt);
    }

    /** @param expiresAt null for never */
    public SuppressionEntry until(Instant expiresAt) {
        return new SuppressionEntry(address, tenant, reason, source, addedAt, expiresAt);
    }

    /** Whether it applies to every job rather than one tenant's. */
    public boolean isGlobal() {
        return tenant == null;
    }
}
