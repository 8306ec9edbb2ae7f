package dev.mailroom.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The time one attempt at a job gets, cut from the time its runner has (a Lambda invocation's
 * remaining time, or a worker batch's): SMTP (with the MX resolution before it) ends
 * {@link #SAFETY_MARGIN} before the runner's end, the ledger write that follows ends
 * {@link #RESPONSE_TIME} before it, and both stay inside the job's lease. Every margin of the
 * pipeline is defined here and nowhere else.
 *
 * @param deliverBy no resolution or SMTP session runs past it
 * @param recordBy  the ledger write after the delivery gives up at it
 */
public record AttemptBudget(Deadline deliverBy, Deadline recordBy) {

    /**
     * Kept back from the runner's end (and from the lease) for the ledger write and the visibility
     * change: deliveries end this much before it.
     */
    public static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);
    /** Kept back for the visibility change and the batch response: the ledger write ends before it. */
    public static final Duration RESPONSE_TIME = Duration.ofSeconds(1);

    /**
     * The budget of an attempt started now by a runner that must be done at {@code end}; empty
     * when not even an attempt of {@code minimumAttempt} (one connect and one reply) fits, so the
     * job is better left for a runner with more time.
     */
    public static Optional<AttemptBudget> before(Instant end, Clock clock, Duration minimumAttempt) {
        Deadline runnerEnd = new Deadline(end, clock);
        Deadline deliverBy = runnerEnd.minus(SAFETY_MARGIN);
        if (!deliverBy.allows(minimumAttempt)) {
            return Optional.empty();
        }
        return Optional.of(new AttemptBudget(deliverBy, runnerEnd.minus(RESPONSE_TIME)));
    }

    /** This budget within a lease that ends at {@code leaseUntil}: the ledger write must land while it holds. */
    public AttemptBudget withinLease(Instant leaseUntil) {
        return new AttemptBudget(deliverBy.notAfter(leaseUntil.minus(SAFETY_MARGIN)), recordBy);
    }
}
