package dev.mailroom.job;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token of a VERP return path, {@code bounces+<token>@<bounce domain>}: it names the job and,
 * through an HMAC, the recipient, so that a bounce sent to it finds its ledger row without a lookup
 * table, however little of the original message the bounce quotes.
 *
 * <p>Format: {@code 1<mac>.<job>}. A local part has at most 64 octets (RFC 5321 §4.5.3.1.1), and
 * {@code bounces+} takes 8 of them, so the token neither spells out the recipient nor names its
 * key: {@code <mac>} is the first 64 bits of HMAC-SHA256 over the job id and the recipient's normal
 * form ({@link AddressForm#key}), in 13 characters of lower-case base32 (RFC 4648 §6). Bounce intake
 * reads the job's recipients from its ledger row and finds the one whose MAC matches, under each
 * key in turn (a job has at most a few hundred recipients and a deployment a few keys; a forgery
 * must still guess 64 bits). {@code <job>} is the job id with {@code a-z 0-9 -} as they are and any
 * other byte as {@code _} and two hex digits: lower case throughout, since some mail systems fold
 * the case of the addresses they bounce to. A job id that does not fit (more than
 * {@value #MAX_JOB_CHARS} characters encoded, e.g. a long upper-case one) gets no token.
 *
 * <p>The MAC input starts with a purpose label ({@code mailroom-bounce-1}), so that no other token
 * made with the same key can pass for this one.
 */
public final class BounceToken {

    /** The local part's fixed start; the token follows. */
    public static final String PREFIX = "bounces+";
    private static final String VERSION = "1";
    private static final String PURPOSE = "mailroom-bounce-1\n";
    private static final int MAC_BYTES = 8;
    private static final int MAC_CHARS = 13;
    /** RFC 5321 §4.5.3.1.1: 64 octets of local part, less {@code bounces+}, the version, the MAC and the dot. */
    static final int MAX_JOB_CHARS = 64 - PREFIX.length() - VERSION.length() - MAC_CHARS - 1;
    private static final String HMAC = "HmacSHA256";
    private static final int MIN_KEY_BYTES = 32;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** What a return path's local part says before it is checked: the job, and the MAC naming its recipient. */
    public record Reference(String jobId, String mac) {
    }

    private final String signingKeyId;
    private final Map<String, byte[]> keys;

    /**
     * @param signingKeyId the key new tokens are signed with; one of {@code keys}
     * @param keys         every key whose tokens still verify, by id
     * @throws IllegalArgumentException for a missing signing key or a key under 32 bytes (RFC 2104 §3)
     */
    public BounceToken(String signingKeyId, Map<String, byte[]> keys) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("bounce key " + id + " has " + key.length + " bytes; at least "
                        + MIN_KEY_BYTES + " are needed");
            }
            copy.put(id, key.clone());
        });
        if (!copy.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("no bounce key " + signingKeyId + " to sign with");
        }
        this.signingKeyId = signingKeyId;
        this.keys = copy;
    }

    /** Whether {@code jobId} fits in a token (see the class comment). */
    public static boolean fits(String jobId) {
        return encode(jobId).length() <= MAX_JOB_CHARS;
    }

    /** The local part for {@code recipient} of {@code jobId}; empty when the job id does not fit. */
    public Optional<String> localPart(String jobId, String recipient) {
        String job = encode(jobId);
        if (job.length() > MAX_JOB_CHARS) {
            return Optional.empty();
        }
        return Optional.of(PREFIX + VERSION + mac(keys.get(signingKeyId), jobId, recipient) + "." + job);
    }

    /**
     * What the local part of {@code address} says, unchecked; empty for anything not of this form.
     * Upper case is folded first (a mail system may have done the opposite).
     */
    public static Optional<Reference> read(String address) {
        if (address == null) {
            return Optional.empty();
        }
        int at = address.lastIndexOf('@');
        String local = (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
        int dot = PREFIX.length() + VERSION.length() + MAC_CHARS;
        if (!local.startsWith(PREFIX + VERSION) || local.length() <= dot + 1 || local.charAt(dot) != '.') {
            return Optional.empty();
        }
        return decode(local.substring(dot + 1))
                .map(jobId -> new Reference(jobId, local.substring(PREFIX.length() + VERSION.length(), dot)));
    }

    /**
     * The recipient among {@code recipients} (normal forms, as the ledger keys them) whose MAC the
     * reference carries under one of the keys; empty if none: forged, altered, or another job's.
     */
    public Optional<String> recipientOf(Reference reference, Collection<String> recipients) {
        byte[] claimed = reference.mac().getBytes(StandardCharsets.US_ASCII);
        for (byte[] key : keys.values()) {
            for (String recipient : recipients) {
                byte[] expected = mac(key, reference.jobId(), recipient).getBytes(StandardCharsets.US_ASCII);
                if (MessageDigest.isEqual(expected, claimed)) {
                    return Optional.of(recipient);
                }
            }
        }
        return Optional.empty();
    }

    /** Never prints a key. */
    @Override
    public String toString() {
        return "BounceToken[signing with " + signingKeyId + ", verifying " + keys.keySet() + "]";
    }

    static String encode(String jobId) {
        StringBuilder out = new StringBuilder();
        for (byte b : jobId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                out.append(c);
            } else {
                out.append('_').append(String.format(Locale.ROOT, "%02x", b & 0xff));
            }
        }
        return out.toString();
    }

    private static Optional<String> decode(String field) {
        byte[] out = new byte[field.length()];
        int n = 0;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '_' && i + 2 < field.length() && isHex(field.charAt(i + 1)) && isHex(field.charAt(i + 2))) {
                out[n++] = (byte) Integer.parseInt(field.substring(i + 1, i + 3), 16);
                i += 2;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                out[n++] = (byte) c;
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new String(Arrays.copyOf(out, n), StandardCharsets.UTF_8));
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    private static String mac(byte[] key, String jobId, String recipient) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            byte[] sum = mac.doFinal((PURPOSE + jobId + "\n" + AddressForm.key(recipient))
                    .getBytes(StandardCharsets.UTF_8));
            return base32(Arrays.copyOf(sum, MAC_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + HMAC, e);
        }
    }

    /** RFC 4648 §6 without padding, lower case: 8 bytes are 13 characters. */
    private static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }
}
