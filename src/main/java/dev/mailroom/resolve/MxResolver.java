package dev.mailroom.resolve;

/**
 * Finds the hosts that accept mail for a domain. Implementations never throw for DNS failures;
 * they answer with a {@link Route} describing the failure.
 */
public interface MxResolver {

    Route resolve(String domain);
}
