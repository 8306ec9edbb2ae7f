package dev.mailroom.deliver;

import java.util.Objects;

/**
 * A smarthost that takes all mail instead of the recipients' MX hosts, e.g. the Amazon SES SMTP
 * endpoint. {@code implicitTls} is port-465 style (TLS from the first byte); otherwise STARTTLS
 * per the TLS policy (port 587). Credentials may be null for an open relay.
 */
public record Relay(String host, int port, boolean implicitTls, String username, String password) {

    public Relay {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("relay port out of range: " + port);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("relay username and password go together");
        }
    }

    public boolean authenticates() {
        return username != null;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Relay[" + host + ":" + port + (implicitTls ? ", implicit TLS" : "")
                + (authenticates() ? ", user=" + username : "") + "]";
    }
}
