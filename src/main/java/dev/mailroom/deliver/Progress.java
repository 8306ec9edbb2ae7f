package dev.mailroom.deliver;

/**
 * How far a connection got before it failed, in protocol order. When every host of a domain fails
 * before a transaction, the failure of the host that got furthest says most about the domain
 * (a certificate that does not verify says more than a host that refused the connection).
 */
enum Progress {
    /** No TCP connection: refused, unreachable, or the connect timed out. */
    UNREACHABLE,
    /** Connected, but no reply came (a silent server, a reset). */
    CONNECTED,
    /** The server replied: its greeting or EHLO refused us, or it went away afterwards. */
    GREETED,
    /** TLS was begun and failed: handshake, certificate (a server not offering STARTTLS stays GREETED). */
    TLS,
    /** The server refused the login (relay mode). */
    AUTHENTICATION,
    /**
     * The server was ready for a transaction, and this message was not offered to it: too large for
     * its SIZE, 8-bit or international for a server without 8BITMIME or SMTPUTF8. The verdict is the
     * message's (or its envelope's), not the domain's.
     */
    READY
}
