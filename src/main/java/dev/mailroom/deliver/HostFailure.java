package dev.mailroom.deliver;

/**
 * One host of a recipient's domain that failed before a transaction, in the order tried: the trail
 * that led to the recipient's outcome when it is not the first host's.
 *
 * @param host    the MX host (or relay) name
 * @param address the address dialled
 * @param failure why that host was not ready
 */
public record HostFailure(String host, String address, Outcome failure) {

    /** For logs: {@code mx1.example.org [192.0.2.1] 4.4.1 Connection refused}. */
    @Override
    public String toString() {
        return host + " [" + address + "] " + failure.diagnosis();
    }
}
