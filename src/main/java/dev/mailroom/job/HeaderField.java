package dev.mailroom.job;

/** One header field of a message, as the message carries it (RFC 5322 §2.2): name and unfolded value. */
public record HeaderField(String name, String value) {
}
