package dev.mailroom.client;

import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.IDN;
import java.time.Instant;

/**
 * The client's {@link SuppressionEntry} ↔ the service's suppression entries: the one place the
 * client meets those types, and where an address a person typed becomes the key the service looks up.
 * The switches are exhaustive: a reason the service gains does not compile until it is mapped here.
 */
final class SuppressionEntries {

    private SuppressionEntries() {
    }

    /**
     * {@code address} as the service keys recipients: a bare mailbox (no display name), its domain an
     * A-label, then the runner's own recipient key.
     *
     * @throws IllegalArgumentException when it is not a mailbox address
     */
    static String key(String address) {
        String mailbox;
        try {
            mailbox = new InternetAddress(address.strip(), true).getAddress();
        } catch (AddressException e) {
            throw new IllegalArgumentException("not a valid address: " + address);
        }
        int at = mailbox.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("not a valid address (no domain): " + address);
        }
        String domain;
        try {
            domain = IDN.toASCII(mailbox.substring(at + 1), IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid address (bad domain): " + address);
        }
        return dev.mailroom.run.Suppressions.key(mailbox.substring(0, at) + "@" + domain);
    }

    static SuppressionScope scope(String tenant) {
        return tenant == null ? SuppressionScope.GLOBAL : SuppressionScope.tenant(tenant);
    }

    static Suppression toService(SuppressionEntry entry, Instant now) {
        return new Suppression(scope(entry.tenant()), key(entry.address()), reason(entry.reason()), entry.source(),
                now, entry.expiresAt());
    }

    static SuppressionEntry of(Suppression entry) {
        String tenant = entry.scope() instanceof SuppressionScope.Tenant t ? t.name() : null;
        return new SuppressionEntry(entry.address(), tenant, reason(entry.reason()), entry.source(), entry.at(),
                entry.expiresAt());
    }

    private static SuppressionReason reason(SuppressionEntry.Reason reason) {
        return switch (reason) {
            case BOUNCE -> SuppressionReason.BOUNCE;
            case COMPLAINT -> SuppressionReason.COMPLAINT;
            case UNSUBSCRIBE -> SuppressionReason.UNSUBSCRIBE;
            case MANUAL -> SuppressionReason.MANUAL;
        };
    }

    private static SuppressionEntry.Reason reason(SuppressionReason reason) {
        return switch (reason) {
            case BOUNCE -> SuppressionEntry.Reason.BOUNCE;
            case COMPLAINT -> SuppressionEntry.Reason.COMPLAINT;
            case UNSUBSCRIBE -> SuppressionEntry.Reason.UNSUBSCRIBE;
            case MANUAL -> SuppressionEntry.Reason.MANUAL;
        };
    }
}
