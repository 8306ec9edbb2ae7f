package dev.mailroom.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the receiving SMTP servers accepted, shared by all of them: one {@link Copy} per recipient of
 * every message answered with 250 at the end of DATA. This is the ground truth that "nothing lost,
 * nothing sent twice" is judged against.
 */
final class DeliveredCopies {

    /**
     * One recipient's copy of one message.
     *
     * @param server      the receiving server's address (127.0.0.x)
     * @param helo        the sender's EHLO name: it names the worker process
     * @param jobId       from the message's {@code X-Reliability-Job} header
     * @param messageId   the message's {@code Message-ID}
     * @param acceptedAt  epoch milliseconds when the server stored it (just before its 250)
     */
    record Copy(String server, String helo, String jobId, String messageId, String recipient, long bytes,
                long acceptedAt) {
    }

    /** A job id and one of its recipients, lowercase. */
    record Key(String jobId, String recipient) {
        static Key of(String jobId, String recipient) {
            return new Key(jobId, recipient.toLowerCase(Locale.ROOT));
        }
    }

    private final ConcurrentLinkedQueue<Copy> copies = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();

    void accepted(List<Copy> transaction) {
        if (transaction.isEmpty()) {
            return;
        }
        copies.addAll(transaction);
        messages.incrementAndGet();
        bytes.addAndGet(transaction.get(0).bytes());
    }

    /** Messages (transactions) accepted. */
    long messages() {
        return messages.get();
    }

    /** Bytes of DATA accepted, each transaction counted once. */
    long bytes() {
        return bytes.get();
    }

    int size() {
        return copies.size();
    }

    /** Every copy, grouped by job and recipient, in arrival order. */
    Map<Key, List<Copy>> byJobAndRecipient() {
        Map<Key, List<Copy>> grouped = new HashMap<>();
        for (Copy copy : copies) {
            grouped.computeIfAbsent(Key.of(copy.jobId(), copy.recipient()), k -> new ArrayList<>()).add(copy);
        }
        grouped.values().forEach(list -> list.sort((a, b) -> Long.compare(a.acceptedAt(), b.acceptedAt())));
        return grouped;
    }

    /** Copies per (Message-ID, recipient): counted the way a receiving mailbox would see duplicates. */
    Map<String, Integer> byMessageIdAndRecipient() {
        Map<String, Integer> counts = new HashMap<>();
        for (Copy copy : copies) {
            counts.merge(copy.messageId() + " " + copy.recipient().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        return counts;
    }
}
