package dev.mailroom.reliability;

import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the receiving SMTP servers accepted, all of them together: one {@link Copy} per recipient of
 * every message answered with 250 at the end of DATA. This is the ground truth that "nothing lost,
 * nothing sent twice" is judged against.
 */
final class DeliveredCopies {

    /** The header that names a message's job: the reliability tests' jobs all set it. */
    static final String JOB_HEADER = "X-Reliability-Job";

    /**
     * One recipient's copy of one message.
     *
     * @param server      the receiving server's address (127.0.0.x)
     * @param helo        the sender's EHLO name: it names the worker process
     * @param jobId       from the message's {@code X-Reliability-Job} header
     * @param messageId   the message's {@code Message-ID}
     * @param acceptedAt  epoch milliseconds when the server had it whole (just before its 250)
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

    private final List<SmtpTestServer> servers;

    /** @param servers the receiving servers; read at each call, so they may still be added to */
    DeliveredCopies(List<SmtpTestServer> servers) {
        this.servers = servers;
    }

    /** Messages (transactions) accepted. */
    long messages() {
        return received().count();
    }

    /** Bytes of DATA accepted, each transaction counted once. */
    long bytes() {
        return received().mapToLong(m -> m.message().size()).sum();
    }

    int size() {
        return (int) copies().count();
    }

    /** Every copy, grouped by job and recipient, in arrival order. */
    Map<Key, List<Copy>> byJobAndRecipient() {
        Map<Key, List<Copy>> grouped = new HashMap<>();
        for (Copy copy : copies().toList()) {
            grouped.computeIfAbsent(Key.of(copy.jobId(), copy.recipient()), k -> new ArrayList<>()).add(copy);
        }
        grouped.values().forEach(list -> list.sort((a, b) -> Long.compare(a.acceptedAt(), b.acceptedAt())));
        return grouped;
    }

    /** Copies per (Message-ID, recipient): counted the way a receiving mailbox would see duplicates. */
    Map<String, Integer> byMessageIdAndRecipient() {
        Map<String, Integer> counts = new HashMap<>();
        for (Copy copy : copies().toList()) {
            counts.merge(copy.messageId() + " " + copy.recipient().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        return counts;
    }

    private record Received(SmtpTestServer server, ReceivedMessage message) {
    }

    private Stream<Received> received() {
        return servers.stream().flatMap(server -> server.received().stream().map(m -> new Received(server, m)));
    }

    private Stream<Copy> copies() {
        return received().flatMap(received -> {
            ReceivedMessage m = received.message();
            String jobId = m.header(JOB_HEADER).orElse(null);
            String messageId = m.header("Message-ID").orElse(null);
            return m.recipients().stream().map(recipient -> new Copy(received.server().host(), m.helo(), jobId,
                    messageId, recipient, m.size(), m.receivedAt().toEpochMilli()));
        });
    }
}
