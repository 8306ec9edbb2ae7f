package dev.mailroom.reliability;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Judges a finished run: every submitted job against the ledger, every recipient against the copies
 * the receiving servers accepted.
 *
 * <ul>
 *   <li><b>lost</b>: a job the ledger does not know or that is not terminal although the queue is
 *       empty (nothing will ever pick it up again); a recipient the ledger calls DELIVERED that no
 *       server received; a recipient still open in a terminal job; a recipient failed or expired
 *       without a reason.</li>
 *   <li><b>duplicate</b>: more than one copy for one job and recipient. A duplicate is
 *       <i>explained</i> when an earlier copy's sender died before it could record it — its worker
 *       process was SIGKILLed within one batch time budget after that copy's 250 — or when the
 *       ledger write that would have recorded it met a DynamoDB outage (it failed after the SDK's
 *       last retry, or its retries outlasted the lease and another worker took the job over).
 *       Anything else is a bug.</li>
 * </ul>
 */
final class DeliveryAudit {

    /** A submitted job: its id and, per recipient, whether it must end FAILED (a permanent refusal). */
    record Expected(String jobId, Map<String, Boolean> mustFail) {
    }

    record Finding(String jobId, String recipient, String what) {
        @Override
        public String toString() {
            return jobId + " " + recipient + ": " + what;
        }
    }

    record Result(int jobs, Map<JobStatus, Integer> jobStatuses, Map<RecipientStatus, Integer> recipientStatuses,
                  int recipients, int deliveredOnce, List<Finding> lost, List<Finding> explainedDuplicates,
                  List<Finding> unexplainedDuplicates, List<Finding> unexpected, int messageIdsDifferentFromLedger,
                  int failedWithReason, int claimsGranted) {

        int duplicates() {
            return explainedDuplicates.size() + unexplainedDuplicates.size();
        }

        long duplicatesBecause(String reason) {
            return explainedDuplicates.stream().filter(f -> f.what().endsWith(reason)).count();
        }

        String summary() {
            return "jobs=" + jobs + " " + jobStatuses + ", recipients=" + recipients + " " + recipientStatuses
                    + ", delivered exactly once=" + deliveredOnce + ", failed with reason=" + failedWithReason
                    + ", lost=" + lost.size() + ", duplicates=" + duplicates() + " (killed in the 250→ledger window "
                    + duplicatesBecause(KILLED) + ", ledger write failed/late after delivery " + duplicatesBecause(UNRECORDED)
                    + ", unexplained " + unexplainedDuplicates.size() + ")"
                    + ", unexpected=" + unexpected.size() + ", copies whose Message-ID differs from the ledger's="
                    + messageIdsDifferentFromLedger;
        }
    }

    static final String KILLED = "the sender was killed between the 250 and its ledger write";
    static final String UNRECORDED = "the ledger write after the delivery failed or came after the lease";
    static final long KILL_TOLERANCE_MILLIS = 2_000;

    private DeliveryAudit() {
    }

    /**
     * @param batchTimeoutMillis the workers' batch budget: no attempt outlives it
     * @param failedLedgerWrites jobs an attempt of which could not record its outcome before its lease ran
     *                           out: the write failed for good, or kept failing past the lease
     */
    static Result judge(Collection<Expected> jobs, Function<String, Optional<JobRecord>> ledger, DeliveredCopies copies,
                        List<WorkerProcess> workers, long batchTimeoutMillis, Set<String> failedLedgerWrites) {
        Map<DeliveredCopies.Key, List<DeliveredCopies.Copy>> received = copies.byJobAndRecipient();
        Map<JobStatus, Integer> jobStatuses = new EnumMap<>(JobStatus.class);
        Map<RecipientStatus, Integer> recipientStatuses = new EnumMap<>(RecipientStatus.class);
        List<Finding> lost = new ArrayList<>();
        List<Finding> explained = new ArrayList<>();
        List<Finding> unexplained = new ArrayList<>();
        List<Finding> unexpected = new ArrayList<>();
        int recipients = 0;
        int deliveredOnce = 0;
        int failedWithReason = 0;
        int otherMessageId = 0;
        int claimsGranted = 0;
        for (Expected job : jobs) {
            Optional<JobRecord> found = ledger.apply(job.jobId());
            if (found.isEmpty()) {
                lost.add(new Finding(job.jobId(), "*", "no ledger item"));
                continue;
            }
            JobRecord record = found.get();
            claimsGranted += record.attempts();
            jobStatuses.merge(record.status(), 1, Integer::sum);
            if (!record.status().isTerminal()) {
                lost.add(new Finding(job.jobId(), "*", "not terminal with an empty queue: " + record.status()));
            }
            for (Map.Entry<String, Boolean> expected : job.mustFail().entrySet()) {
                recipients++;
                String address = expected.getKey();
                RecipientRecord recipient = record.recipient(address);
                List<DeliveredCopies.Copy> got = received.getOrDefault(DeliveredCopies.Key.of(job.jobId(), address),
                        List.of());
                if (recipient == null) {
                    lost.add(new Finding(job.jobId(), address, "recipient missing from the ledger"));
                    continue;
                }
                recipientStatuses.merge(recipient.status(), 1, Integer::sum);
                switch (recipient.status()) {
                    case DELIVERED -> {
                        if (got.isEmpty()) {
                            lost.add(new Finding(job.jobId(), address, "ledger says DELIVERED, no server received it"));
                        } else if (got.size() == 1) {
                            deliveredOnce++;
                        }
                        if (expected.getValue()) {
                            unexpected.add(new Finding(job.jobId(), address, "delivered, but the server refuses it"));
                        }
                        otherMessageId += (int) got.stream()
                                .filter(c -> !c.messageId().equals(record.messageId())).count();
                    }
                    case FAILED, EXPIRED -> {
                        if (recipient.replyCode() == null && recipient.replyText() == null
                                && recipient.enhancedCode() == null && record.lastError() == null) {
                            lost.add(new Finding(job.jobId(), address, recipient.status() + " without a reason"));
                        } else {
                            failedWithReason++;
                        }
                        if (!got.isEmpty()) {
                            unexpected.add(new Finding(job.jobId(), address, recipient.status() + " in the ledger but "
                                    + got.size() + " cop(ies) received"));
                        }
                        if (!expected.getValue() && recipient.status() == RecipientStatus.FAILED) {
                            unexpected.add(new Finding(job.jobId(), address, "FAILED although only transient faults "
                                    + "hit it: " + recipient.replyCode() + " " + recipient.enhancedCode() + " "
                                    + recipient.replyText()));
                        }
                    }
                    default -> lost.add(new Finding(job.jobId(), address, "left " + recipient.status()
                            + " in a " + record.status() + " job"));
                }
                if (got.size() > 1) {
                    boolean explainedByKill = got.subList(0, got.size() - 1).stream()
                            .allMatch(copy -> killedSoonAfter(copy, workers, batchTimeoutMillis));
                    if (explainedByKill) {
                        explained.add(new Finding(job.jobId(), address, got.size() + " copies: " + KILLED));
                    } else if (failedLedgerWrites.contains(job.jobId())) {
                        explained.add(new Finding(job.jobId(), address, got.size() + " copies: " + UNRECORDED));
                    } else {
                        unexplained.add(new Finding(job.jobId(), address, got.size() + " copies from "
                                + got.stream().map(c -> c.helo() + "@" + c.acceptedAt()).toList()));
                    }
                }
            }
        }
        return new Result(jobs.size(), new TreeMap<>(jobStatuses), new TreeMap<>(recipientStatuses), recipients,
                deliveredOnce, lost, explained, unexplained, unexpected, otherMessageId, failedWithReason, claimsGranted);
    }

    /**
     * The copy's sender was SIGKILLed around the server's 250, before its attempt could have ended. A
     * kill up to {@link #KILL_TOLERANCE_MILLIS} before the server noted the copy counts too: the server
     * notes it after its 250 left, and a sender killed after the end of its DATA but before the 250
     * reached it never learnt of the delivery either (RFC 1047's window, inherent to SMTP).
     */
    private static boolean killedSoonAfter(DeliveredCopies.Copy copy, List<WorkerProcess> workers, long windowMillis) {
        return workers.stream().anyMatch(w -> w.helo().equalsIgnoreCase(copy.helo()) && w.killedAt() > 0
                && w.killedAt() >= copy.acceptedAt() - KILL_TOLERANCE_MILLIS
                && w.killedAt() - copy.acceptedAt() <= windowMillis);
    }

}
