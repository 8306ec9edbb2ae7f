package dev.mailroom.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * An instant on a clock, and the questions every layer asks of it: how long is left, has it passed,
 * is there room for a step that needs so long. Resolution, SMTP and the ledger write all run under
 * one, so that none of them outlives the time an attempt was given; measured on the clock the
 * deadline was set on, never on the system's.
 *
 * @param at    the moment after which nothing may still run
 * @param clock the clock {@code at} was set on
 */
public record Deadline(Instant at, Clock clock) {

    public Deadline {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(clock, "clock");
    }

    /** A deadline {@code duration} from now. */
    public static Deadline in(Duration duration, Clock clock) {
        return new Deadline(clock.instant().plus(duration), clock);
    }

    /** A deadline that has passed already: one try, and no retry after it. */
    public static Deadline immediately() {
        return new Deadline(Instant.EPOCH, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    /** What is left of it; zero once it has passed. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean passed() {
        return !clock.instant().isBefore(at);
    }

    /** Whether a step needing {@code duration}, started now, would end by the deadline. */
    public boolean allows(Duration duration) {
        return !clock.instant().plus(duration).isAfter(at);
    }

    /** This deadline, or {@code other} if that comes first. */
    public Deadline notAfter(Instant other) {
        return other.isBefore(at) ? new Deadline(other, clock) : this;
    }

    /** The deadline {@code margin} earlier. */
    public Deadline minus(Duration margin) {
        return new Deadline(at.minus(margin), clock);
    }
}
