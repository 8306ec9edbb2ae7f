package dev.mailroom.deliver;

/**
 * What happened to one recipient in one delivery attempt. Outcomes are values: the engine never
 * throws for a failed recipient, it returns one of these.
 *
 * <p>{@code mxHost} names the server that gave the answer (MX host or relay), or is {@code null}
 * when no server was reached (DNS failure, all hosts unreachable before any answered).
 */
public sealed interface Outcome {

    Diagnosis diagnosis();

    String mxHost();

    /** The server took responsibility for the message (2xx to end-of-data). */
    record Delivered(Diagnosis diagnosis, String mxHost) implements Outcome {
    }

    /** Worth trying again later: 4xx, timeouts, connection and DNS server failures. */
    record Transient(Diagnosis diagnosis, String mxHost) implements Outcome {
    }

    /** Will never succeed as sent: 5xx, nonexistent domain, null MX, message too large. */
    record Permanent(Diagnosis diagnosis, String mxHost) implements Outcome {
    }
}
