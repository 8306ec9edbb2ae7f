package dev.mailroom.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The ledger's item layout: records ↔ DynamoDB attribute maps. Instants are epoch milliseconds. */
final class LedgerItems {

    static final String JOB_ID = "jobId";
    static final String FINGERPRINT = "fingerprint";
    /** The job's SES mail object (JSON), written with its first events and never changed after. */
    static final String MAIL = "mail";
    /** Set once the job's Send event was kept. */
    static final String ANNOUNCED = "announced";
    /** The keys of the event batches kept and not yet published (a string set; gone when empty). */
    static final String PENDING_EVENTS = "pendingEvents";
    /**
     * One top-level attribute per unpublished batch, {@code events:<key>}: a binary, the gzip of a
     * JSON array of {@code {"id", "recipient", "body"}}. One attribute per write keeps the write's
     * expression the same length for 1 event or 100; gzip keeps 100 near-identical Delivery events
     * (which differ by address and time) a small part of the item's 400 KB.
     */
    static final String EVENTS_PREFIX = "events:";
    /**
     * {@code "pending"} while the item may hold events: the key of the sparse index
     * {@link #PENDING_INDEX}, which holds only such items, so the sweeper reads those and no others.
     * Set by every write that keeps events; removed once {@code pendingEvents} is gone.
     */
    static final String OUTBOX = "outbox";
    static final String PENDING = "pending";
    /** The ledger table's index of items that hold events (keys only). */
    public static final String PENDING_INDEX = "pending-events";
    /** How often the job was redriven ({@link JobRecord#redrives}); absent until the first. */
    static final String REDRIVES = "redrives";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LedgerItems() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue time(Instant instant) {
        return n(instant.toEpochMilli());
    }

    static AttributeValue recipient(RecipientRecord record) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("status", s(record.status().name()));
        if (record.replyCode() != null) {
            map.put("replyCode", n(record.replyCode()));
        }
        map.put("attempts", n(record.attempts()));
        map.put("at", time(record.at()));
        putIfPresent(map, "enhancedCode", record.enhancedCode());
        putIfPresent(map, "replyText", record.replyText());
        putIfPresent(map, "mxHost", record.mxHost());
        if (!record.signedBy().isEmpty()) {
            map.put("signedBy", AttributeValue.fromL(record.signedBy().stream().map(LedgerItems::s).toList()));
        }
        if (record.suppression() != null) {
            map.put("suppression", suppression(record.suppression()));
        }
        return AttributeValue.fromM(map);
    }

    static AttributeValue recipients(Map<String, RecipientRecord> recipients) {
        Map<String, AttributeValue> map = new HashMap<>();
        recipients.forEach((address, record) -> map.put(address, recipient(record)));
        return AttributeValue.fromM(map);
    }

    static JobRecord job(Map<String, AttributeValue> item) {
        Map<String, RecipientRecord> recipients = new HashMap<>();
        AttributeValue stored = item.get("recipients");
        if (stored != null && stored.hasM()) {
            stored.m().forEach((address, value) -> recipients.put(address, recipient(address, value.m())));
        }
        return new JobRecord(str(item, JOB_ID), JobStatus.valueOf(str(item, "status")), (int) num(item, "attempts"),
                instant(item, "createdAt"), instant(item, "updatedAt"), instant(item, "nextAttemptAt"),
                instant(item, "expiresAt"), str(item, "lastError"), str(item, "leaseOwner"),
                instant(item, "leaseUntil"), str(item, "messageId"), recipients, str(item, "archiveKey"),
                str(item, FINGERPRINT) == null ? null : new PayloadFingerprint(str(item, FINGERPRINT)),
                str(item, MAIL), item.containsKey(ANNOUNCED) && Boolean.TRUE.equals(item.get(ANNOUNCED).bool()),
                outbox(item), (int) num(item, REDRIVES));
    }

    /** The unpublished batches: each key of {@code pendingEvents} whose attribute the item holds. */
    private static List<OutboxBatch> outbox(Map<String, AttributeValue> item) {
        AttributeValue pending = item.get(PENDING_EVENTS);
        if (pending == null || !pending.hasSs()) {
            return List.of();
        }
        List<OutboxBatch> outbox = new ArrayList<>();
        for (String key : new TreeSet<>(pending.ss())) {
            AttributeValue stored = item.get(EVENTS_PREFIX + key);
            if (stored != null && stored.b() != null) {
                outbox.add(new OutboxBatch(key, events(stored.b().asByteArray())));
            }
        }
        return outbox;
    }

    /**
     * Keeps {@code events} in {@code update} as one batch: its attribute, and its key in the pending
     * set; with the job's {@code mail} object unless the item already holds one.
     *
     * @param mail null: the item holds the mail object already (events after the send)
     */
    static void keep(UpdateBuilder update, String mail, List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        if (mail != null) {
            update.setIfAbsent(MAIL, s(mail));
        }
        OutboxBatch batch = OutboxBatch.of(events);
        update.setNamed(EVENTS_PREFIX + batch.key(), AttributeValue.fromB(SdkBytes.fromByteArray(gzip(batch))));
        update.add(PENDING_EVENTS, AttributeValue.fromSs(List.of(batch.key())));
        update.set(OUTBOX, s(PENDING));
    }

    private static byte[] gzip(OutboxBatch batch) {
        ArrayNode array = JSON.createArrayNode();
        for (OutboxEvent event : batch.events()) {
            ObjectNode entry = array.addObject().put("id", event.id());
            if (event.recipient() != null) {
                entry.put("recipient", event.recipient());
            }
            entry.put("body", event.body());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            JSON.writeValue(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<OutboxEvent> events(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            List<OutboxEvent> events = new ArrayList<>();
            for (JsonNode entry : JSON.readTree(in)) {
                events.add(new OutboxEvent(entry.path("id").asText(),
                        entry.hasNonNull("recipient") ? entry.get("recipient").asText() : null,
                        entry.path("body").asText()));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException("an unreadable event batch in the ledger item", e);
        }
    }

    private static RecipientRecord recipient(String address, Map<String, AttributeValue> map) {
        AttributeValue suppression = map.get("suppression");
        return new RecipientRecord(RecipientStatus.valueOf(str(map, "status")), replyCode(map),
                str(map, "enhancedCode"), str(map, "replyText"), str(map, "mxHost"), (int) num(map, "attempts"),
                instant(map, "at"), strings(map, "signedBy"),
                suppression == null || !suppression.hasM() ? null : suppression(address, suppression.m()));
    }

    /** What kept a recipient from being sent: the entry's reason, scope, source, time and expiry. */
    private static AttributeValue suppression(Suppression entry) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("reason", s(entry.reason().name()));
        map.put("scope", s(entry.scope().key()));
        map.put("source", s(entry.source()));
        map.put("since", time(entry.at()));
        if (entry.expiresAt() != null) {
            map.put("expiresAt", time(entry.expiresAt()));
        }
        return AttributeValue.fromM(map);
    }

    private static Suppression suppression(String address, Map<String, AttributeValue> map) {
        return new Suppression(SuppressionScope.parse(str(map, "scope")), address,
                SuppressionReason.valueOf(str(map, "reason")), str(map, "source"), instant(map, "since"),
                instant(map, "expiresAt"));
    }

    /** Absent when no server replied; items written before that rule hold {@code 0} instead. */
    private static Integer replyCode(Map<String, AttributeValue> map) {
        long code = num(map, "replyCode");
        return code == 0 ? null : (int) code;
    }

    private static void putIfPresent(Map<String, AttributeValue> map, String name, String value) {
        if (value != null) {
            map.put(name, s(value));
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(AttributeValue::s).toList();
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
