package dev.mailroom.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What tells two jobs under one id apart: the SHA-256 of the queue message body exactly as received
 * (UTF-8). The body, not the parsed job, because every legitimate repeat carries the very same bytes
 * — SQS redelivering a message, a producer resending it, a redrive putting the archived payload
 * back — and bytes do not change meaning when the parser or the job model does between two
 * deployments. A producer that re-serialises a job differently sends, by this measure, another job.
 *
 * @param sha256 lower-case hex, 64 characters
 */
public record PayloadFingerprint(String sha256) {

    /** Read back with every ledger item: compiled once. */
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public PayloadFingerprint {
        Objects.requireNonNull(sha256, "sha256");
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in lower-case hex: " + sha256);
        }
    }

    /** @param body the SQS message body as received; an absent body hashes as the empty string */
    public static PayloadFingerprint of(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
            return new PayloadFingerprint(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
