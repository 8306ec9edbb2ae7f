package dev.mailroom.inbound;

import dev.mailroom.observe.JobLog;

/**
 * One stored inbound message through bounce intake, and its log line: the per-record step of the
 * bounce function, the same for any runtime. A message that cannot be read throws
 * ({@link InboundMail.InboundMailException}), so that the event is delivered again; one that says
 * nothing to act on, or names no job, is logged and done.
 */
public final class InboundStep {

    private final InboundMail mail;
    private final BounceIntake intake;
    private final JobLog log;

    public InboundStep(InboundMail mail, BounceIntake intake, JobLog log) {
        this.mail = mail;
        this.intake = intake;
        this.log = log;
    }

    public BounceIntake.Result handle(String bucket, String key) {
        String source = "s3://" + bucket + "/" + key;
        BounceIntake.Result result = intake.take(mail.read(bucket, key), source);
        if (result instanceof BounceIntake.Result.Recorded recorded) {
            log.inbound("bounce.recorded", source, recorded.jobId(), recorded.recipient(), recorded.status()
                    + recorded.suppressed().map(s -> ", suppressed (" + s.reason() + ")").orElse(""));
        } else if (result instanceof BounceIntake.Result.Unchanged unchanged) {
            log.inbound("bounce.unchanged", source, unchanged.jobId(), unchanged.recipient(), "still "
                    + unchanged.status() + unchanged.suppressed().map(s -> ", suppressed (" + s.reason() + ")").orElse(""));
        } else if (result instanceof BounceIntake.Result.Unmatched unmatched) {
            log.inbound("bounce.unmatched", source, null, null, unmatched.why());
        } else if (result instanceof BounceIntake.Result.Ignored ignored) {
            log.inbound("bounce.ignored", source, null, null, ignored.why());
        }
        return result;
    }
}
