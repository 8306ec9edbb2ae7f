package dev.mailroom.resolve;

import java.util.List;

/** Where mail for a domain goes, or why it can't go anywhere. A value, never an exception. */
public sealed interface Route {

    /** Hosts in the order to try them: preference ascending, equal preferences shuffled. */
    record Hosts(List<MxHost> hosts) implements Route {
        public Hosts {
            hosts = List.copyOf(hosts);
        }
    }

    /** RFC 7505: the domain publishes {@code MX 0 .}, it accepts no mail. */
    record NullMx() implements Route {
    }

    /** NXDOMAIN, or a domain with neither MX nor address records (RFC 5321 §5.1). */
    record NoSuchDomain(String detail) implements Route {
    }

    /** MX hosts exist, but none of them has an address. */
    record NoAddress(String detail) implements Route {
    }

    /** SERVFAIL, timeouts, unreachable DNS servers: may work later. */
    record LookupFailed(String detail) implements Route {
    }
}
