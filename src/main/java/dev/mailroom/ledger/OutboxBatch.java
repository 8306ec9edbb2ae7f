package dev.mailroom.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The events one ledger write kept: stored together (one attribute of the item, whatever their
 * number, so that a write's request stays small) and dropped together once published.
 *
 * @param key    names the batch in the item: a digest of its event ids, so that a write tried again
 *               after a lost reply keeps the same batch, not a second one
 * @param events in the order the write gave them
 */
public record OutboxBatch(String key, List<OutboxEvent> events) {

    public OutboxBatch {
        Objects.requireNonNull(key, "key");
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one event");
        }
    }

    /** The batch of {@code events}, named by their ids. */
    public static OutboxBatch of(List<OutboxEvent> events) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String id : new TreeSet<>(events.stream().map(OutboxEvent::id).toList())) {
                digest.update(id.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return new OutboxBatch(HexFormat.of().formatHex(digest.digest(), 0, 12), events);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
