package dev.mailroom.reliability;

import dev.mailroom.events.EventId;
import dev.mailroom.job.AddressForm;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.testing.PublishedEvents;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Judges the events a finished run published against the ledger: once the jobs are settled and the
 * sweeper has run, every job's item holds no pending event, and its published events, de-duplicated
 * by id, are exactly the transitions its final record shows — no fewer (an event lost), no more (an
 * event invented, or one of a transition the ledger does not hold) — each with its transition's type.
 *
 * <p>The transitions are derived from the final record alone ({@link #transitions}), by how the send
 * path counts: a recipient's {@code attempts} goes up by one with each recorded attempt that settled
 * it ({@code Attempt.settle}: the ledger's count plus one), and only a DEFERRED recipient is offered
 * again. So a recipient ending at status S after n attempts was DEFERRED at each of 1…n-1 (one
 * DeliveryDelay each) and reached S at n: its last event's id is {@code (S, n)}. An attempt killed
 * before its write counts nowhere and names no event. SUPPRESSED keeps the count it had (never sent):
 * DEFERRED at 1…n before it. The job's Send comes with its first write.
 *
 * <p>One id the final record cannot decide: an EXPIRED recipient's DeliveryDelay at n. A job given up
 * before its attempt delivers ({@code RetryPolicy.beforeAttempt}) expires the DEFERRED its item holds,
 * whose DeliveryDelay at n was recorded; one given up after an attempt ({@code afterAttempt}) expires
 * that attempt's DEFERRED outcome, never recorded. That id may be published or not; every other id
 * is exact. Rejections after the claim are out of scope (a recipient FAILED by the rejection, which
 * has no Bounce, and one refused by its server look alike); the runs make none, and none is redriven.
 */
final class EventAudit {

    /** One message off the events queue: its message attributes and what its body says. */
    record Published(String attributeId, String attributeType, String eventId, String eventType, String jobId,
                     String recipient) {
    }

    /** The event one transition gives: its type, and its recipient (null for a job's own). */
    record Transition(String eventType, String recipient) {
    }

    /** The ids a final record gives, and the ones it cannot decide (published or not). */
    record Transitions(Map<String, Transition> certain, Map<String, Transition> undecided) {
    }

    record Finding(String jobId, String what) {
        @Override
        public String toString() {
            return jobId + ": " + what;
        }
    }

    record Result(int messages, int distinctIds, Map<String, Integer> expected, int undecided, int undecidedPublished,
                  int swept, List<Finding> pending, List<Finding> missing, List<Finding> invented,
                  List<Finding> mislabelled, List<Finding> foreign, List<Finding> notJudged) {

        int expectedIds() {
            return expected.values().stream().mapToInt(Integer::intValue).sum();
        }

        int duplicatesRemoved() {
            return messages - distinctIds;
        }

        List<Finding> problems() {
            List<Finding> all = new ArrayList<>(pending);
            all.addAll(missing);
            all.addAll(invented);
            all.addAll(mislabelled);
            all.addAll(foreign);
            all.addAll(notJudged);
            return all;
        }

        String summary() {
            return "published " + messages + " messages, " + distinctIds + " distinct ids (" + duplicatesRemoved()
                    + " duplicates removed by id); expected " + expectedIds() + " ids from the ledger " + expected
                    + (undecided == 0 ? "" : " and " + undecided + " undecidable (" + undecidedPublished + " published)")
                    + "; published by the sweep after the run " + swept + "; left pending " + pending.size()
                    + ", missing " + missing.size() + ", invented " + invented.size() + ", mislabelled "
                    + mislabelled.size() + ", foreign " + foreign.size() + ", not judged " + notJudged.size();
        }
    }

    private EventAudit() {
    }

    /**
     * @param jobIds the run's jobs
     * @param swept  what the sweep after the run published, for the report
     */
    static Result judge(Collection<String> jobIds, Function<String, Optional<JobRecord>> ledger,
                        List<Published> published, int swept) {
        Map<String, List<Published>> byJob = published.stream().collect(Collectors.groupingBy(
                p -> p.jobId() == null ? "(no job tag)" : p.jobId(), TreeMap::new, Collectors.toList()));
        Tally tally = new Tally();
        published.stream().filter(p -> !p.eventId().equals(p.attributeId()) || !p.eventType().equals(p.attributeType()))
                .forEach(p -> tally.mislabelled.add(new Finding(p.jobId(), "attributes " + p.attributeId() + "/"
                        + p.attributeType() + " on a body of " + p.eventId() + "/" + p.eventType())));
        Set<String> judged = new HashSet<>();
        for (String jobId : new TreeSet<>(jobIds)) {
            // A job the ledger does not know is not judged: its events count as foreign below.
            ledger.apply(jobId).ifPresent(job -> {
                judged.add(jobId);
                tally.job(job, byJob.getOrDefault(jobId, List.of()));
            });
        }
        byJob.forEach((jobId, events) -> {
            if (!judged.contains(jobId)) {
                tally.foreign.add(new Finding(jobId, events.size() + " event(s) of a job not in the run or the ledger"));
            }
        });
        int distinct = (int) published.stream().map(Published::eventId).distinct().count();
        return new Result(published.size(), distinct, tally.expected, tally.undecided, tally.undecidedPublished, swept,
                tally.pending, tally.missing, tally.invented, tally.mislabelled, tally.foreign, tally.notJudged);
    }

    /** The findings so far. */
    private static final class Tally {
        final Map<String, Integer> expected = new TreeMap<>();
        final List<Finding> pending = new ArrayList<>();
        final List<Finding> missing = new ArrayList<>();
        final List<Finding> invented = new ArrayList<>();
        final List<Finding> mislabelled = new ArrayList<>();
        final List<Finding> foreign = new ArrayList<>();
        final List<Finding> notJudged = new ArrayList<>();
        int undecided;
        int undecidedPublished;

        /** One job's item against the events published about it. */
        void job(JobRecord job, List<Published> events) {
            if (!job.outbox().isEmpty()) {
                pending.add(new Finding(job.jobId(), "still pending in the ledger item: " + job.pendingEvents().keySet()));
            }
            Optional<String> outOfScope = outOfScope(job);
            if (outOfScope.isPresent()) {
                notJudged.add(new Finding(job.jobId(), outOfScope.get()));
                return;
            }
            Transitions transitions = transitions(job);
            transitions.certain().values().forEach(t -> expected.merge(t.eventType(), 1, Integer::sum));
            Set<String> ids = events.stream().map(Published::eventId).collect(Collectors.toCollection(TreeSet::new));
            undecided += transitions.undecided().size();
            undecidedPublished += (int) transitions.undecided().keySet().stream().filter(ids::contains).count();
            transitions.certain().forEach((id, transition) -> {
                if (!ids.contains(id)) {
                    missing.add(new Finding(job.jobId(), transition + " " + id));
                }
            });
            events.forEach(event -> published(job, transitions, event));
        }

        private void published(JobRecord job, Transitions transitions, Published event) {
            Transition transition = Optional.ofNullable(transitions.certain().get(event.eventId()))
                    .orElse(transitions.undecided().get(event.eventId()));
            if (transition == null) {
                invented.add(new Finding(job.jobId(), event.eventType() + " " + event.eventId() + " of "
                        + event.recipient() + ": no such transition in the ledger"));
            } else if (!transition.eventType().equals(event.attributeType())
                    || !sameRecipient(transition.recipient(), event.recipient())) {
                mislabelled.add(new Finding(job.jobId(), event.eventId() + " is " + transition + ", published as "
                        + event.attributeType() + " of " + event.recipient()));
            }
            if (event.recipient() != null && job.recipient(event.recipient()) == null) {
                foreign.add(new Finding(job.jobId(), event.eventType() + " " + event.eventId() + " names "
                        + event.recipient() + ", not a recipient of the job"));
            }
        }
    }

    /** Why this record's events cannot be derived from it, if they cannot (see the class comment). */
    private static Optional<String> outOfScope(JobRecord job) {
        if (!job.status().isTerminal()) {
            return Optional.of("not settled (" + job.status() + "): its events are not final");
        }
        if (job.status() == JobStatus.REJECTED && !job.recipients().isEmpty()) {
            return Optional.of("rejected after its claim: not derivable from the final record");
        }
        return Optional.empty();
    }

    /** The events a settled job's final record gives, by id (see the class comment for the derivation). */
    static Transitions transitions(JobRecord job) {
        Map<String, Transition> certain = new LinkedHashMap<>();
        Map<String, Transition> undecided = new LinkedHashMap<>();
        if (job.status() == JobStatus.REJECTED) {
            return new Transitions(certain, undecided); // at intake: no write but the rejection, no event
        }
        certain.put(EventId.of(job.jobId(), null, "SENT", 0), new Transition("Send", null));
        job.recipients().forEach((address, recipient) -> {
            int n = recipient.attempts();
            int delays = switch (recipient.status()) {
                case PENDING, DEFERRED, SUPPRESSED -> n;
                case DELIVERED, FAILED, EXPIRED, BOUNCED, COMPLAINED -> n - 1;
            };
            for (int attempt = 1; attempt <= delays; attempt++) {
                certain.put(id(job, address, "DEFERRED", attempt), new Transition("DeliveryDelay", address));
            }
            switch (recipient.status()) {
                case PENDING, DEFERRED -> { }
                case DELIVERED -> certain.put(id(job, address, "DELIVERED", n), new Transition("Delivery", address));
                case FAILED, SUPPRESSED -> certain.put(id(job, address, recipient.status().name(), n),
                        new Transition("Bounce", address));
                case EXPIRED -> {
                    certain.put(id(job, address, "EXPIRED", n), new Transition("Bounce", address));
                    if (n >= 1) {
                        undecided.put(id(job, address, "DEFERRED", n), new Transition("DeliveryDelay", address));
                    }
                }
                case BOUNCED, COMPLAINED -> {
                    certain.put(id(job, address, "DELIVERED", n), new Transition("Delivery", address));
                    certain.put(id(job, address, recipient.status().name(), n), new Transition(
                            recipient.status() == RecipientStatus.BOUNCED ? "Bounce" : "Complaint",
                            address));
                }
            }
        });
        return new Transitions(certain, undecided);
    }

    private static String id(JobRecord job, String recipient, String transition, int attempt) {
        return EventId.of(job.jobId(), recipient, transition, attempt);
    }

    private static boolean sameRecipient(String expected, String published) {
        return expected == null ? published == null : published != null
                && AddressForm.key(published).equals(expected);
    }

    /** Every message on {@code queueUrl} now, with its attributes, deleted from the queue. */
    static List<Published> take(SqsClient sqs, String queueUrl) {
        List<Published> all = new ArrayList<>();
        int emptyPolls = 0;
        while (emptyPolls < 2) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).messageAttributeNames("All")).messages();
            if (batch.isEmpty()) {
                emptyPolls++;
                continue;
            }
            emptyPolls = 0;
            for (Message message : batch) {
                PublishedEvents.Event event = PublishedEvents.parse(message.body());
                all.add(new Published(attribute(message, "eventId"), attribute(message, "eventType"), event.eventId(),
                        event.eventType(), event.jobId(), event.recipient()));
            }
            List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(batch.get(i).receiptHandle()).build());
            }
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
        }
        return all;
    }

    private static String attribute(Message message, String name) {
        MessageAttributeValue value = message.messageAttributes().get(name);
        return value == null ? "(none)" : value.stringValue();
    }
}
