package dev.mailroom.intake;

import dev.mailroom.job.SendJob;
import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Set;

/**
 * The front door of the pipeline: a queue message body in, an accepted job or a precise rejection
 * out. Never throws for bad input.
 */
public final class JobIntake {

    private final JobParser parser = new JobParser();
    private final JobValidator validator;

    public JobIntake(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets) {
        this.validator = new JobValidator(limits, senders, attachmentBuckets);
    }

    /**
     * @param fallbackJobId the job id when the body carries none (the SQS message id)
     */
    public IntakeResult accept(String body, String fallbackJobId) {
        String jobId = fallbackJobId;
        try {
            SendJob job = parser.parse(body);
            if (job.jobId() != null) {
                JobValidator.requireJobId(job.jobId());
                jobId = job.jobId();
            }
            List<InternetAddress> recipients = validator.validate(job);
            return new IntakeResult.Accepted(jobId, job.jobId() == null ? job.withJobId(jobId) : job, recipients);
        } catch (JobRejectedException e) {
            return new IntakeResult.Rejected(jobId, e.getMessage());
        } catch (RuntimeException e) {
            // A parser or library corner we did not anticipate: still a rejection, never a crash.
            return new IntakeResult.Rejected(jobId, "body: could not be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
