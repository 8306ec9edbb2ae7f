package dev.mailroom.resolve;

import dev.mailroom.budget.Deadline;

/**
 * Finds the hosts that accept mail for a domain. Implementations never throw for DNS failures;
 * they answer with a {@link Route} describing the failure.
 */
public interface MxResolver {

    /**
     * @param deadline no lookup starts after it and none is waited for past it; a resolution it cuts
     *                 short is a {@link Route.LookupFailed} that says so
     */
    Route resolve(String domain, Deadline deadline);
}
