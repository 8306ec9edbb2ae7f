package dev.mailroom.outbox;

import dev.mailroom.events.OutboxEntries.Publishable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Events cut into the batches SQS's SendMessageBatch and EventBridge's PutEvents take: at most 10
 * entries and 256 KiB per call (a margin kept for each entry's other fields).
 */
final class Batches {

    static final int MAX_ENTRIES = 10;
    static final int MAX_BYTES = 256 * 1024;
    /** Room for an entry's id, attributes or detail type beside its body. */
    private static final int ENTRY_OVERHEAD = 1024;

    private Batches() {
    }

    static List<List<Publishable>> of(List<Publishable> events) {
        List<List<Publishable>> batches = new ArrayList<>();
        List<Publishable> batch = new ArrayList<>();
        int bytes = 0;
        for (Publishable event : events) {
            int size = event.json().getBytes(StandardCharsets.UTF_8).length + ENTRY_OVERHEAD;
            if (!batch.isEmpty() && (batch.size() == MAX_ENTRIES || bytes + size > MAX_BYTES)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(event);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
