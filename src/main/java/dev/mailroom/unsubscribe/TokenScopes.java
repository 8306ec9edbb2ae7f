package dev.mailroom.unsubscribe;

import dev.mailroom.ledger.SuppressionScope;

/**
 * Which suppression a token's scope asks for. The suppression list knows two scopes, every job or one
 * tenant's (a job's {@code tags.tenant}); a token's scope is free text (a job's {@code unsubscribe.scope},
 * by default the From domain). So:
 *
 * <ul>
 * <li>{@code tenant:<name>} → that tenant's jobs only ({@link SuppressionScope#tenant});
 * <li>anything else — a list name, a domain, {@code global} — → every job ({@link SuppressionScope#GLOBAL}).
 * </ul>
 *
 * Wider than asked rather than narrower: mail after an opt-out is the harm that RFC 8058 and the
 * large mailbox providers' sender rules exist to stop, and lists are not modelled by the suppression
 * list. The scope as the token named it stays in the {@code Subscription} event's {@code contactList}.
 */
public final class TokenScopes {

    static final String TENANT_PREFIX = "tenant:";

    private TokenScopes() {
    }

    public static SuppressionScope suppressionScope(String tokenScope) {
        if (tokenScope.startsWith(TENANT_PREFIX) && !tokenScope.substring(TENANT_PREFIX.length()).isBlank()) {
            return SuppressionScope.tenant(tokenScope.substring(TENANT_PREFIX.length()));
        }
        return SuppressionScope.GLOBAL;
    }
}
