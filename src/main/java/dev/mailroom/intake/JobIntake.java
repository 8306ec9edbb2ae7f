package dev.mailroom.intake;

import dev.mailroom.job.HeaderField;
import dev.mailroom.job.SendJob;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The front door of the pipeline: a queue message body in, an accepted job or a precise rejection
 * out. Never throws for bad input.
 */
public final class JobIntake {

    private final JobParser parser = new JobParser();
    private final JobValidator validator;
    private final SenderFieldRules senderFields;

    /** An intake that accepts a job's own fixed unsubscribe URL, and no token ({@link UnsubscribeSupport#none()}). */
    public JobIntake(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets) {
        this(limits, senders, attachmentBuckets, UnsubscribeSupport.none());
    }

    /** @param unsubscribe what this deployment can fill into an unsubscribe URL (tokens, its own endpoint) */
    public JobIntake(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets,
                     UnsubscribeSupport unsubscribe) {
        this(limits, senders, attachmentBuckets, () -> unsubscribe);
    }

    /** @param unsubscribe as above, asked for each job: known once the keys are read ({@code UnsubscribeLinks#support}) */
    public JobIntake(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets,
                     Supplier<UnsubscribeSupport> unsubscribe) {
        this(limits, senders, attachmentBuckets, unsubscribe, ReturnPaths.none());
    }

    /** @param returnPaths each recipient's VERP return path, when a bounce domain is configured */
    public JobIntake(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets,
                     Supplier<UnsubscribeSupport> unsubscribe, ReturnPaths returnPaths) {
        this.validator = new JobValidator(limits, senders, attachmentBuckets, unsubscribe, returnPaths);
        this.senderFields = new SenderFieldRules(senders);
    }

    /**
     * The job {@code body} holds, read by the contract's parser but not held to this deployment's
     * rules: the facts of its events where no attempt recorded them (a job dead-lettered before any
     * attempt reached the ledger). Empty if the body is no job.
     */
    public static java.util.Optional<SendJob> read(String body) {
        try {
            return java.util.Optional.of(new JobParser().parse(body));
        } catch (JobRejectedException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * @param fallbackJobId the job id when the body carries none (the SQS message id)
     */
    public IntakeResult accept(String body, String fallbackJobId) {
        SendJob job;
        try {
            job = parser.parse(body);
        } catch (JobRejectedException e) {
            return new IntakeResult.Rejected(fallbackJobId, e.getMessage());
        } catch (RuntimeException e) {
            return unanticipated(fallbackJobId, e);
        }
        return accept(job, fallbackJobId);
    }

    /**
     * A job already read from its JSON (by {@link #accept(String, String)}, or built by a program):
     * every rule of intake but the parsing.
     *
     * @param fallbackJobId the job id when the job carries none
     */
    public IntakeResult accept(SendJob job, String fallbackJobId) {
        String jobId = fallbackJobId;
        try {
            if (job.jobId() != null) {
                JobValidator.requireJobId(job.jobId());
                jobId = job.jobId();
            }
            return new IntakeResult.Accepted(jobId, validator.validate(job, jobId));
        } catch (JobRejectedException e) {
            return new IntakeResult.Rejected(jobId, e.getMessage());
        } catch (IntakeUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            return unanticipated(jobId, e);
        }
    }

    // A parser or library corner we did not anticipate: still a rejection, never a crash.
    private static IntakeResult unanticipated(String jobId, RuntimeException e) {
        return new IntakeResult.Rejected(jobId, "body: could not be read (" + e.getClass().getSimpleName() + ")");
    }

    /**
     * The second half of intake for a raw job, once its message has been read from the store: the
     * header fields naming its sender (From, Sender, Resent-From, Resent-Sender) must pass the
     * allow-list, as the job's own from and envelopeFrom did.
     *
     * @param senderFields the stored message's fields ({@code ComposedMessage.senderFields()})
     * @return the rejection reason, naming the field ({@code raw From: domain is not in
     *         MAILROOM_ALLOWED_SENDER_DOMAINS}), or empty when the message may be sent
     */
    public Optional<String> checkSenderFields(List<HeaderField> senderFields) {
        // An IntakeUnavailableException (the keys unreadable) leaves: the job is judged on a later attempt.
        try {
            this.senderFields.check(senderFields);
            return Optional.empty();
        } catch (JobRejectedException e) {
            return Optional.of(e.getMessage());
        }
    }
}
