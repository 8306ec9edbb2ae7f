package dev.mailroom.ledger;

import static dev.mailroom.ledger.LedgerItems.n;
import static dev.mailroom.ledger.LedgerItems.s;
import static dev.mailroom.ledger.LedgerItems.time;

import dev.mailroom.budget.Deadline;
import dev.mailroom.job.AddressForm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The ledger in DynamoDB: one item per job, keyed by {@code jobId}, recipients in a map attribute.
 * Terminal items get a {@code ttl} (epoch seconds) so that DynamoDB's TTL removes them after
 * {@code retention}; TTL itself is enabled by the SAM template (emulators may not implement it).
 */
public final class DynamoDbLedger implements Ledger {

    // Every write's condition, one literal each: #name is the attribute of that name, :name a value
    // bound where the write is built. DynamoDbLedgerTest pins each against the request sent.

    /**
     * Claimable: new, or the same payload (or an item with none recorded) that is queued (redriven),
     * deferred, or whose lease has run out.
     */
    private static final String CLAIM_CONDITION = "attribute_not_exists(#jobId) OR ((attribute_not_exists(#fingerprint) "
            + "OR #fingerprint = :fingerprint) AND #status IN (:queued, :deferred, :sending) "
            + "AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now))";
    /** Recording needs the caller to hold the lease of a job being sent. */
    private static final String LEASE_CONDITION = "#leaseOwner = :owner AND #status = :sending";
    /** A rejection is recorded only where no other job owns the id. */
    private static final String REJECT_CONDITION = "attribute_not_exists(#jobId) OR (#status = :rejected "
            + "AND (attribute_not_exists(#fingerprint) OR #fingerprint = :fingerprint))";
    /** Reconciling a job never seen: nobody created it meanwhile. */
    private static final String RECONCILE_NEW_CONDITION = "attribute_not_exists(#jobId)";
    /**
     * Reconciling a job: unwritten since it was read ({@code :seen} status, {@code :seenAt} update
     * time), and no live lease on it. A late worker whose lease ran out may still record a delivery
     * in between (nobody else claimed the job); without the update time, the reconcile would
     * overwrite that recipient EXPIRED from its stale read, and a redrive would send it again.
     */
    private static final String RECONCILE_CONDITION = "#status = :seen AND #updatedAt = :seenAt "
            + "AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)";
    /** The same for an item that has no update time (none written by this code lacks one). */
    private static final String RECONCILE_UNDATED_CONDITION = "#status = :seen AND attribute_not_exists(#updatedAt) "
            + "AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)";
    /** A report after delivery (a bounce, a complaint) changes a recipient the ledger holds DELIVERED, only. */
    private static final String AFTER_DELIVERY_CONDITION = "#recipients.#recipient.#status = :delivered";
    /** Events kept apart from a transition of the send path (an unsubscribe): the job is there. */
    private static final String EXISTS_CONDITION = "attribute_exists(#jobId)";
    /** Leaving the index of items with events: there is none left. */
    private static final String UNFLAGGED_CONDITION = "attribute_exists(#jobId) AND attribute_not_exists(#pendingEvents)";
    /** Resetting for a redrive: still in the status it was read in. */
    private static final String REDRIVE_CONDITION = "#status = :seen";

    /** Between rounds of the client's own retries, while an outage lasts. */
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(2);
    /** A try gets at least this long, or is not started. */
    private static final Duration MIN_TRY = Duration.ofMillis(500);
    /**
     * Recipient entries one write changes: each is a clause of about 30 characters, and DynamoDB
     * refuses an UpdateExpression over 4 KB. A write of more (a transaction of 1,000 RCPTs, the expiry
     * of a large job) goes as several, the job's own fields in the last ({@link #split}).
     */
    static final int RECIPIENTS_PER_WRITE = 80;
    /** Batches one {@link #markPublished} write drops: a {@code REMOVE} clause each. */
    private static final int BATCHES_PER_WRITE = 200;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    /**
     * Times come from the caller: a job's from its arguments, a write's budget from its
     * {@link Deadline}, which carries its own clock.
     *
     * @param retention how long a terminal item stays before TTL removes it
     */
    public DynamoDbLedger(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public Claim claim(String jobId, PayloadFingerprint fingerprint, String owner, Duration lease,
                       List<String> recipients, Instant expiresAt, Instant now) {
        Map<String, RecipientRecord> initial = new HashMap<>();
        recipients.forEach(address -> initial.put(AddressForm.key(address), RecipientRecord.pending(now)));
        UpdateBuilder update = new UpdateBuilder()
                .set("status", s(JobStatus.SENDING.name()))
                .set("leaseOwner", s(owner))
                .set("leaseUntil", time(now.plus(lease)))
                .set("updatedAt", time(now))
                .setIfAbsent("createdAt", time(now))
                .setIfAbsent("recipients", LedgerItems.recipients(initial))
                .setIfAbsent(LedgerItems.FINGERPRINT, s(fingerprint.sha256()))
                .add("attempts", n(1));
        if (expiresAt != null) {
            update.setIfAbsent("expiresAt", time(expiresAt));
        }
        update.condition(CLAIM_CONDITION, Map.of(":fingerprint", s(fingerprint.sha256()),
                ":queued", s(JobStatus.QUEUED.name()), ":deferred", s(JobStatus.DEFERRED.name()),
                ":sending", s(JobStatus.SENDING.name()), ":now", time(now)));
        try {
            return new Claim.Granted(LedgerItems.job(dynamo.updateItem(update.build(table, jobId)).attributes()));
        } catch (ConditionalCheckFailedException e) {
            JobRecord current = find(jobId).orElseThrow(() -> new IllegalStateException("claim refused for a missing job " + jobId));
            if (!current.admits(fingerprint)) {
                return new Claim.Conflict(current);
            }
            return current.status().isTerminal() ? new Claim.Finished(current) : new Claim.Busy(current);
        }
    }

    @Override
    public Recording record(AttemptResult result, Deadline giveUpAt) {
        Map<String, RecipientRecord> byKey = new HashMap<>();
        result.recipients().forEach((address, record) -> byKey.put(AddressForm.key(address), record));
        Split split = split(byKey, result.events());
        Map<String, AttributeValue> lease = Map.of(":owner", s(result.owner()), ":sending", s(JobStatus.SENDING.name()));
        for (Part part : split.leading()) {
            // Recipients and their events only: the lease condition holds for the next part, and the
            // same part written twice (a retry after a lost reply) writes the same values.
            try {
                write(leading(part, result.mail()).condition(LEASE_CONDITION, lease).build(table, result.jobId()), giveUpAt);
            } catch (ConditionalCheckFailedException e) {
                return new Recording.LeaseLost(result.jobId());
            }
        }
        UpdateBuilder update = new UpdateBuilder()
                .set("status", s(result.status().name()))
                .set("updatedAt", time(result.now()));
        setIfPresent(update, "messageId", result.messageId());
        setIfPresent(update, "lastError", result.lastError());
        setIfPresent(update, "archiveKey", result.archiveKey());
        if (result.nextAttemptAt() != null) {
            update.set("nextAttemptAt", time(result.nextAttemptAt()));
        } else {
            update.remove("nextAttemptAt");
        }
        withPart(update, split.last(), result.mail());
        if (result.status() != JobStatus.SENDING) {
            update.remove("leaseOwner").remove("leaseUntil");
        }
        if (result.status().isTerminal()) {
            update.set("ttl", n(result.now().plus(retention).getEpochSecond()));
        }
        if (!result.deliveryAttempted()) {
            // The claim counted an attempt (a crash mid-attempt must count); none was made after all.
            update.add("attempts", n(-1));
        }
        if (result.announces()) {
            update.set(LedgerItems.ANNOUNCED, AttributeValue.fromBool(true));
        }
        update.condition(LEASE_CONDITION, lease);
        try {
            Map<String, AttributeValue> after = write(update.build(table, result.jobId()), giveUpAt);
            return new Recording.Recorded(after == null || after.isEmpty() ? Optional.empty()
                    : Optional.of(LedgerItems.job(after)));
        } catch (ConditionalCheckFailedException e) {
            // A try whose reply was lost (a timeout, a 500) may have been applied all the same, and
            // the retry then fails its condition on our own write.
            Optional<JobRecord> current = recorded(result);
            return current.isPresent() ? new Recording.Recorded(current) : new Recording.LeaseLost(result.jobId());
        }
    }

    /** Sends {@code request}, trying again through outages until {@code giveUpAt}; the item after it. */
    private Map<String, AttributeValue> write(UpdateItemRequest request, Deadline giveUpAt) {
        Duration pause = FIRST_PAUSE;
        while (true) {
            Duration left = giveUpAt.remaining();
            try {
                return dynamo.updateItem(left.compareTo(MIN_TRY) < 0 ? request
                        : request.toBuilder().overrideConfiguration(o -> o.apiCallTimeout(left)).build()).attributes();
            } catch (ConditionalCheckFailedException e) {
                throw e;
            } catch (SdkException e) {
                if (!isWorthRetrying(e) || !giveUpAt.allows(pause.plus(MIN_TRY))) {
                    throw e;
                }
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /** Some recipients' entries, and the events of their transitions. */
    record Part(Map<String, RecipientRecord> recipients, List<OutboxEvent> events) {
    }

    /**
     * @param leading writes that go first, {@link #RECIPIENTS_PER_WRITE} recipients each; none for a write that fits in one
     * @param last    the recipients and events left for the write that changes the job's own fields:
     *                the job's events (Send, Reject) go there, as do events of no recipient of the write
     */
    record Split(List<Part> leading, Part last) {
    }

    /**
     * {@code recipients} (by key) in parts one write holds, each with the events of its recipients
     * ({@link OutboxEvent#recipient}): a crash between two parts leaves every transition the ledger
     * holds with its events, and no event without its transition.
     */
    static Split split(Map<String, RecipientRecord> recipients, List<OutboxEvent> events) {
        List<String> keys = List.copyOf(new TreeSet<>(recipients.keySet()));
        List<Part> leading = new ArrayList<>();
        Map<String, RecipientRecord> rest = new TreeMap<>(recipients);
        for (int from = 0; keys.size() - from > RECIPIENTS_PER_WRITE; from += RECIPIENTS_PER_WRITE) {
            Set<String> some = new HashSet<>(keys.subList(from, from + RECIPIENTS_PER_WRITE));
            Map<String, RecipientRecord> entries = new TreeMap<>(recipients);
            entries.keySet().retainAll(some);
            rest.keySet().removeAll(some);
            leading.add(new Part(entries, events.stream().filter(event -> some.contains(event.recipient())).toList()));
        }
        return new Split(leading, new Part(rest, events.stream().filter(event -> event.recipient() == null
                || rest.containsKey(event.recipient()) || !recipients.containsKey(event.recipient())).toList()));
    }

    /** A write of a leading part: its recipients' entries and their events, returning nothing. */
    private static UpdateBuilder leading(Part part, String mail) {
        return withPart(new UpdateBuilder().returning(ReturnValue.NONE), part, mail);
    }

    /** {@code part}'s recipient entries and events, in {@code update}; {@code mail} as {@link LedgerItems#keep} takes it. */
    private static UpdateBuilder withPart(UpdateBuilder update, Part part, String mail) {
        part.recipients().forEach((key, record) -> update.setEntry("recipients", key, LedgerItems.recipient(record)));
        LedgerItems.keep(update, mail, part.events());
        return update;
    }

    /** The job as {@code result} left it, if the ledger holds that write. */
    private Optional<JobRecord> recorded(AttemptResult result) {
        return find(result.jobId()).filter(job -> job.status() == result.status() && job.updatedAt() != null
                && job.updatedAt().toEpochMilli() == result.now().toEpochMilli());
    }

    /** Throttling, a 5xx, a timeout or a connection failure: another try may well succeed. */
    private static boolean isWorthRetrying(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return e instanceof SdkClientException;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording", e);
        }
    }

    @Override
    public void reject(String jobId, PayloadFingerprint fingerprint, String reason, String archiveKey, Instant now) {
        UpdateBuilder update = new UpdateBuilder()
                .set("status", s(JobStatus.REJECTED.name()))
                .set(LedgerItems.FINGERPRINT, s(fingerprint.sha256()))
                .set("lastError", s(reason))
                .set("updatedAt", time(now))
                .setIfAbsent("createdAt", time(now))
                .set("ttl", n(now.plus(retention).getEpochSecond()));
        setIfPresent(update, "archiveKey", archiveKey);
        // Never overwrite a real job that happens to share the id of an invalid message, nor another
        // rejected payload's reason and archive key.
        update.condition(REJECT_CONDITION, Map.of(":rejected", s(JobStatus.REJECTED.name()),
                ":fingerprint", s(fingerprint.sha256())));
        try {
            dynamo.updateItem(update.build(table, jobId));
        } catch (ConditionalCheckFailedException e) {
            // The id is another job's: the rejection concerns this message only (its log line, its DLQ copy).
        }
    }

    @Override
    public Reconciliation reconcileDeadLetter(String jobId, PayloadFingerprint fingerprint, String reason,
                                              String archiveKey, Instant now, ExpiryEvents events) {
        Optional<JobRecord> current = find(jobId);
        if (current.isPresent() && (current.get().status().isTerminal() || !current.get().admits(fingerprint))) {
            return new Reconciliation.LeftAlone(current.get());
        }
        UpdateBuilder update = new UpdateBuilder()
                .set("status", s(JobStatus.DEAD_LETTERED.name()))
                .setIfAbsent(LedgerItems.FINGERPRINT, s(fingerprint.sha256()))
                .set("lastError", s(reason))
                .set("updatedAt", time(now))
                .setIfAbsent("createdAt", time(now))
                .set("ttl", n(now.plus(retention).getEpochSecond()))
                .remove("leaseOwner").remove("leaseUntil").remove("nextAttemptAt");
        setIfPresent(update, "archiveKey", archiveKey);
        Map<String, RecipientRecord> expired = new HashMap<>();
        current.ifPresent(job -> job.recipients().forEach((address, record) -> {
            if (!record.status().isFinal()) {
                expired.put(address, record.expired(now));
            }
        }));
        Kept kept = current.map(job -> events.of(job.after(new AttemptResult(jobId, null, JobStatus.DEAD_LETTERED,
                null, expired, null, reason, archiveKey, now)), expired.keySet())).orElse(Kept.NONE);
        Split split = split(expired, kept.events());
        withPart(update, split.last(), kept.mail());
        if (kept.announces()) {
            update.set(LedgerItems.ANNOUNCED, AttributeValue.fromBool(true));
        }
        String condition;
        Map<String, AttributeValue> seen;
        if (current.isEmpty()) {
            condition = RECONCILE_NEW_CONDITION;
            seen = Map.of();
        } else if (current.get().updatedAt() == null) {
            condition = RECONCILE_UNDATED_CONDITION;
            seen = Map.of(":seen", s(current.get().status().name()), ":now", time(now));
        } else {
            condition = RECONCILE_CONDITION;
            seen = Map.of(":seen", s(current.get().status().name()), ":seenAt", time(current.get().updatedAt()),
                    ":now", time(now));
        }
        update.condition(condition, seen);
        try {
            for (Part part : split.leading()) {
                // Changes nothing the condition reads: the next part, and the last, still find the job as seen.
                dynamo.updateItem(leading(part, kept.mail()).condition(condition, seen).build(table, jobId));
            }
            Map<String, AttributeValue> after = dynamo.updateItem(update.build(table, jobId)).attributes();
            return new Reconciliation.DeadLettered(after == null || after.isEmpty() ? Optional.empty()
                    : Optional.of(LedgerItems.job(after)));
        } catch (ConditionalCheckFailedException e) {
            return new Reconciliation.Busy(jobId);
        }
    }

    @Override
    public void resetForRedrive(String jobId, Instant now) {
        JobRecord current = find(jobId).orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
        // QUEUED too: a redrive whose re-enqueue failed can simply be run again.
        if (current.status() != JobStatus.DEAD_LETTERED && current.status() != JobStatus.QUEUED) {
            throw new IllegalStateException("job " + jobId + " is " + current.status()
                    + ", only DEAD_LETTERED jobs are redriven");
        }
        UpdateBuilder update = new UpdateBuilder()
                .set("status", s(JobStatus.QUEUED.name()))
                .set("attempts", n(0))
                .set("createdAt", time(now))
                .set("updatedAt", time(now))
                .add(LedgerItems.REDRIVES, n(1))
                .remove("ttl").remove("expiresAt").remove("nextAttemptAt");
        Map<String, RecipientRecord> reopened = new HashMap<>();
        current.recipients().forEach((address, record) -> {
            if (record.status() == RecipientStatus.EXPIRED) {
                reopened.put(address, record.reopened(now));
            }
        });
        Split split = split(reopened, List.of());
        withPart(update, split.last(), null);
        Map<String, AttributeValue> seen = Map.of(":seen", s(current.status().name()));
        update.condition(REDRIVE_CONDITION, seen);
        try {
            for (Part part : split.leading()) {
                dynamo.updateItem(leading(part, null).condition(REDRIVE_CONDITION, seen).build(table, jobId));
            }
            dynamo.updateItem(update.build(table, jobId));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("job " + jobId + " changed while being redriven", e);
        }
    }

    @Override
    public Optional<JobRecord> recordAfterDelivery(String jobId, String recipient, RecipientRecord record, Instant now,
                                                   List<OutboxEvent> events) {
        UpdateBuilder update = new UpdateBuilder()
                .setEntry("recipients", recipient, LedgerItems.recipient(record))
                .set("updatedAt", time(now));
        LedgerItems.keep(update, null, events);
        update.condition(AFTER_DELIVERY_CONDITION, Map.of(":delivered", s(RecipientStatus.DELIVERED.name())))
                .nameAs("#recipient", recipient);
        try {
            return Optional.of(LedgerItems.job(dynamo.updateItem(update.build(table, jobId)).attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<JobRecord> recordEvents(String jobId, List<OutboxEvent> events) {
        UpdateBuilder update = new UpdateBuilder();
        LedgerItems.keep(update, null, events);
        update.condition(EXISTS_CONDITION, Map.of());
        try {
            return Optional.of(LedgerItems.job(dynamo.updateItem(update.build(table, jobId)).attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public void markPublished(String jobId, Collection<String> batchKeys) {
        List<String> keys = List.copyOf(new TreeSet<>(batchKeys));
        boolean emptied = false;
        for (int from = 0; from < keys.size(); from += BATCHES_PER_WRITE) {
            List<String> some = keys.subList(from, Math.min(keys.size(), from + BATCHES_PER_WRITE));
            UpdateBuilder update = new UpdateBuilder().delete(LedgerItems.PENDING_EVENTS, AttributeValue.fromSs(some))
                    .returning(ReturnValue.UPDATED_NEW);
            some.forEach(key -> update.removeNamed(LedgerItems.EVENTS_PREFIX + key));
            update.condition(EXISTS_CONDITION, Map.of());
            try {
                Map<String, AttributeValue> updated = dynamo.updateItem(update.build(table, jobId)).attributes();
                emptied = updated == null || !updated.containsKey(LedgerItems.PENDING_EVENTS);
            } catch (ConditionalCheckFailedException e) {
                return; // the item is gone (TTL): nothing is left to mark
            }
        }
        if (emptied) {
            leaveThePendingIndex(jobId);
        }
    }

    /** Takes the item out of the sweeper's index, unless a write kept events meanwhile. */
    private void leaveThePendingIndex(String jobId) {
        UpdateBuilder update = new UpdateBuilder().remove(LedgerItems.OUTBOX).returning(ReturnValue.NONE)
                .condition(UNFLAGGED_CONDITION, Map.of());
        try {
            dynamo.updateItem(update.build(table, jobId));
        } catch (ConditionalCheckFailedException e) {
            // events kept since, or the item is gone: the index keeps it, or has dropped it, as it should
        }
    }

    /**
     * Reads the sparse index of items that hold events (keys only, so a sweep reads those items and
     * no others, however large the table), then each item, strongly consistent. An item the index
     * still lists after its last events went (a flusher died between the two writes) leaves it here.
     */
    @Override
    public void forEachWithPendingEvents(Consumer<JobRecord> action) {
        QueryRequest query = QueryRequest.builder().tableName(table).indexName(LedgerItems.PENDING_INDEX)
                .keyConditionExpression("#outbox = :pending")
                .expressionAttributeNames(Map.of("#outbox", LedgerItems.OUTBOX))
                .expressionAttributeValues(Map.of(":pending", s(LedgerItems.PENDING))).build();
        for (var page : dynamo.queryPaginator(query)) {
            for (Map<String, AttributeValue> key : page.items()) {
                String jobId = key.get(LedgerItems.JOB_ID).s();
                find(jobId).ifPresent(job -> {
                    if (job.outbox().isEmpty()) {
                        leaveThePendingIndex(jobId);
                    } else {
                        action.accept(job);
                    }
                });
            }
        }
    }

    @Override
    public Optional<JobRecord> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of(LedgerItems.JOB_ID, s(jobId))).consistentRead(true).build()).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(LedgerItems.job(item));
    }

    private static void setIfPresent(UpdateBuilder update, String attribute, String value) {
        if (value != null) {
            update.set(attribute, s(value));
        }
    }
}
