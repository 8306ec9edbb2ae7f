package dev.mailroom.events;

import dev.mailroom.job.AddressForm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The de-duplication id of an event: a pure function of the ledger transition it reports, so that
 * publishing the same transition again (after a crash between the ledger write and the publish, or
 * by a second flusher) yields the same id, and a consumer keeping the ids it has seen drops the copy.
 *
 * <p>The transition is (job id, recipient, the status reached, the attempt that reached it): a
 * recipient DEFERRED at attempts 1 and 2 makes two events, the same DEFERRED recorded twice one.
 * The recipient is taken in the ledger's normal form ({@link AddressForm#key}), so two spellings
 * of one address name one transition; a job-level event (Send, Reject) has none.
 *
 * <p>The id is an RFC 9562 §5.8 UUIDv8 whose 122 free bits are the first bits of the SHA-256 of
 * the transition's fields, each length-prefixed (no separator can be forged by a job id holding
 * it). SES has no such field: it goes at the top level, beside {@code eventType}, where a consumer
 * of SES's fields that ignores unknown ones never looks.
 */
public final class EventId {

    /** Changes only if the derivation does; ids of one version never meet another's. */
    private static final String DOMAIN = "mailroom-event-v1";

    private EventId() {
    }

    /**
     * @param recipient the recipient, in any spelling; null or empty for a job-level event
     * @param transition the status the transition reached, e.g. {@code DELIVERED}, {@code BOUNCED}
     * @param attempt   the recipient's (or job's) attempt count when it was reached
     */
    public static String of(String jobId, String recipient, String transition, int attempt) {
        return of(jobId, recipient, transition, attempt, 0);
    }

    /**
     * The same, in the job's {@code life}-th life: after that many redrives, a transition that
     * repeats one of an earlier life (EXPIRED again at the same attempt count) is a new event. Life 0
     * names ids as {@link #of(String, String, String, int)} does.
     */
    public static String of(String jobId, String recipient, String transition, int attempt, int life) {
        String address = recipient == null || recipient.isEmpty() ? "" : AddressForm.key(recipient);
        byte[] hash = life == 0 ? sha256(DOMAIN, jobId, address, transition, Integer.toString(attempt))
                : sha256(DOMAIN, jobId, address, transition, Integer.toString(attempt), "life", Integer.toString(life));
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        long high = (bits.getLong() & ~0xF000L) | 0x8000L;                        // version 8
        long low = (bits.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;  // variant 10
        return new UUID(high, low).toString();
    }

    private static byte[] sha256(String... fields) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String field : fields) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
