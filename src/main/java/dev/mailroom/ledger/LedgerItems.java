package dev.mailroom.ledger;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The ledger's item layout: records ↔ DynamoDB attribute maps. Instants are epoch milliseconds. */
final class LedgerItems {

    static final String JOB_ID = "jobId";
    static final String FINGERPRINT = "fingerprint";
    /** The job's SES mail object (JSON), written with its first events. */
    static final String MAIL = "mail";
    /** Set once the job's Send event was kept. */
    static final String ANNOUNCED = "announced";
    /** The ids of the events kept and not yet published (a string set; gone when empty). */
    static final String PENDING_EVENTS = "pendingEvents";
    /** One top-level attribute per unpublished event: {@code event:<id>} → its body. */
    static final String EVENT_PREFIX = "event:";

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
                outbox(item));
    }

    /** The unpublished events: each id of {@code pendingEvents} whose body the item holds. */
    private static Map<String, OutboxEvent> outbox(Map<String, AttributeValue> item) {
        AttributeValue pending = item.get(PENDING_EVENTS);
        if (pending == null || !pending.hasSs()) {
            return Map.of();
        }
        Map<String, OutboxEvent> outbox = new HashMap<>();
        for (String id : pending.ss()) {
            AttributeValue body = item.get(EVENT_PREFIX + id);
            if (body != null && body.s() != null) {
                outbox.put(id, new OutboxEvent(id, body.s()));
            }
        }
        return outbox;
    }

    /** Keeps {@code events} (with the job's mail) in {@code update}: bodies, and their ids in the pending set. */
    static void keep(UpdateBuilder update, String mail, List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        update.set(MAIL, s(mail));
        events.forEach(event -> update.setNamed(EVENT_PREFIX + event.id(), s(event.body())));
        update.add(PENDING_EVENTS, AttributeValue.fromSs(events.stream().map(OutboxEvent::id).distinct().toList()));
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
