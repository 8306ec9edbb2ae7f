package dev.mailroom.deliver;

/** How a connection uses TLS. */
public enum TlsPolicy {
    /** Never STARTTLS. */
    NONE,
    /** STARTTLS when the server offers it, certificate not checked (RFC 3207 §4.1 practice). Default in MX mode. */
    OPPORTUNISTIC,
    /** STARTTLS must happen; a server that doesn't offer it defers the mail. Certificate not checked. */
    REQUIRED,
    /** STARTTLS (or implicit TLS) with the certificate chain and host name verified. Default in relay mode. */
    VERIFY;

    boolean startTls() {
        return this != NONE;
    }

    boolean mustEncrypt() {
        return this == REQUIRED || this == VERIFY;
    }
}
