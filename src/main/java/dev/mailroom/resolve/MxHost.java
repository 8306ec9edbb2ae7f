package dev.mailroom.resolve;

import java.net.InetAddress;
import java.util.List;

/**
 * A host to try for a domain, with the addresses it resolved to. {@code name} is what TLS
 * verification checks the certificate against; the addresses are what we connect to.
 *
 * @param preference the MX preference (lower first); {@code 0} for an implicit MX
 */
public record MxHost(String name, int preference, List<InetAddress> addresses) {

    public MxHost {
        addresses = List.copyOf(addresses);
    }
}
