package dev.mailroom.compose;

import dev.mailroom.job.AddressForm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token of a one-click unsubscribe URL (RFC 8058): it names the job, the recipient and the
 * scope of the unsubscription, and carries an HMAC-SHA256 over them, so the endpoint that receives
 * it can trust it without a lookup and nobody can make one for another recipient. Keys are named
 * ({@code kid}) so that a new one can sign while tokens of the old one, in mail already delivered,
 * still verify.
 *
 * <p>Format: {@code v1.<kid>.<job>.<recipient>.<scope>.<mac>}, each field base64url without padding
 * (RFC 4648 §5) — URL-safe, and no field can run into the next. The recipient is in its normal form
 * ({@link AddressForm#key}: NFC, lower case, A-label domain), as the ledger keys it.
 */
public final class UnsubscribeToken {

    private static final String VERSION = "v1";
    private static final String HMAC = "HmacSHA256";
    /** RFC 2104 §3: a key shorter than the hash's output weakens it. */
    private static final int MIN_KEY_BYTES = 32;
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /** What a valid token says. */
    public record Claims(String jobId, String recipient, String scope) {
    }

    private final String signingKeyId;
    private final Map<String, byte[]> keys;

    /**
     * @param signingKeyId the key new tokens are signed with; one of {@code keys}
     * @param keys         every key whose tokens still verify, by id (letters, digits, {@code -_})
     * @throws IllegalArgumentException for a missing signing key, a bad id or a key under 32 bytes
     */
    public UnsubscribeToken(String signingKeyId, Map<String, byte[]> keys) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException("unsubscribe key id '" + id + "': letters, digits, - and _ only");
            }
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("unsubscribe key " + id + " has " + key.length
                        + " bytes; at least " + MIN_KEY_BYTES + " are needed");
            }
            copy.put(id, key.clone());
        });
        if (!copy.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("no unsubscribe key " + signingKeyId + " to sign with");
        }
        this.signingKeyId = signingKeyId;
        this.keys = copy;
    }

    /** A token for {@code recipient} of {@code jobId}, for {@code scope} (a list, a tenant, a sender). */
    public String issue(String jobId, String recipient, String scope) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(scope, "scope");
        String signed = VERSION + "." + signingKeyId + "." + field(jobId) + "." + field(normal(recipient)) + "."
                + field(scope);
        return signed + "." + ENCODE.encodeToString(mac(keys.get(signingKeyId), signed));
    }

    /** What {@code token} says if one of the keys made it; empty for anything else, never an exception. */
    public Optional<Claims> verify(String token) {
        String[] parts = token == null ? new String[0] : token.split("\\.", -1);
        if (parts.length != 6 || !VERSION.equals(parts[0]) || !keys.containsKey(parts[1])) {
            return Optional.empty();
        }
        try {
            String signed = token.substring(0, token.lastIndexOf('.'));
            byte[] expected = ENCODE.encodeToString(mac(keys.get(parts[1]), signed))
                    .getBytes(StandardCharsets.US_ASCII);
            // Compared as text, so that only the one canonical encoding passes (a decoder ignores a last
            // character's unused bits), and in constant time: it must not tell how much of a forgery was right.
            if (!MessageDigest.isEqual(expected, parts[5].getBytes(StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            return Optional.of(new Claims(text(parts[2]), text(parts[3]), text(parts[4])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Never prints a key. */
    @Override
    public String toString() {
        return "UnsubscribeToken[signing with " + signingKeyId + ", verifying " + keys.keySet() + "]";
    }

    private static String normal(String recipient) {
        return AddressForm.key(Objects.requireNonNull(recipient, "recipient"));
    }

    private static String field(String value) {
        return ENCODE.encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(String field) {
        return new String(DECODE.decode(field), StandardCharsets.UTF_8);
    }

    private static byte[] mac(byte[] key, String signed) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + HMAC, e);
        }
    }
}
