package dev.mailroom.observe;

import dev.mailroom.deliver.HostFailure;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured logs: one JSON line per job attempt and per recipient outcome (with the trail of hosts
 * that failed before it, if any). Only identifiers,
 * statuses and SMTP diagnostics go in — never message bodies, attachment bytes or credentials.
 */
public final class JobLog {

    private final JsonLines out;
    private final Clock clock;

    public JobLog(JsonLines out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public void attempt(String jobId, int attempt, String status, String detail, long latencyMillis) {
        Map<String, Object> line = base("job.attempt", jobId);
        line.put("attempt", attempt);
        line.put("status", status);
        if (detail != null) {
            line.put("detail", detail);
        }
        line.put("latencyMs", latencyMillis);
        out.write(line);
    }

    public void recipient(String jobId, RecipientResult result) {
        Outcome outcome = result.outcome();
        String address = result.address();
        Map<String, Object> line = base("recipient.outcome", jobId);
        line.put("domain", address.substring(address.lastIndexOf('@') + 1));
        line.put("recipient", address);
        line.put("outcome", outcome.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        line.put("mxHost", outcome.mxHost());
        if (outcome.diagnosis().hasReply()) {
            line.put("replyCode", outcome.diagnosis().replyCode());
        }
        line.put("enhancedCode", outcome.diagnosis().enhancedCode());
        line.put("reply", outcome.diagnosis().text());
        if (!result.trail().isEmpty()) {
            // Every host that failed before this outcome, in the order tried: a failover's whole story.
            line.put("trail", result.trail().stream().map(HostFailure::toString).toList());
        }
        if (!result.signedBy().isEmpty()) {
            line.put("signedBy", result.signedBy());
        }
        line.put("latencyMs", result.latency().toMillis());
        out.write(line);
    }

    /** A message goes out without a DKIM signature: no key signs for its From domain. */
    public void unsigned(String jobId, String fromDomain) {
        Map<String, Object> line = base("message.unsigned", jobId);
        line.put("level", "WARN");
        line.put("fromDomain", fromDomain);
        line.put("reason", "no DKIM key for " + fromDomain + "; sent unsigned (MAILROOM_DKIM_MISSING_KEY=unsigned)");
        out.write(line);
    }

    /** A recipient not sent: the suppression list holds it ({@code scope}: global or the job's tenant). */
    public void suppressed(String jobId, String address, String reason, String scope) {
        Map<String, Object> line = base("recipient.suppressed", jobId);
        line.put("level", "INFO");
        line.put("recipient", address);
        line.put("reason", reason);
        line.put("scope", scope);
        out.write(line);
    }

    /** An address this job's permanent failure put on the suppression list. */
    public void suppressionAdded(String jobId, String address, String reason, String scope) {
        Map<String, Object> line = base("suppression.added", jobId);
        line.put("level", "INFO");
        line.put("recipient", address);
        line.put("reason", reason);
        line.put("scope", scope);
        out.write(line);
    }

    /**
     * What bounce intake did with one inbound message ({@code bounce.recorded}, {@code bounce.unchanged},
     * {@code bounce.unmatched}, {@code bounce.ignored}); {@code jobId} and {@code recipient} may be null.
     */
    public void inbound(String event, String source, String jobId, String recipient, String detail) {
        Map<String, Object> line = base(event, jobId);
        line.put("level", event.equals("bounce.unmatched") ? "WARN" : "INFO");
        line.put("source", source);
        if (recipient != null) {
            line.put("recipient", recipient);
        }
        line.put("detail", detail);
        out.write(line);
    }

    public void rejected(String jobId, String reason) {
        Map<String, Object> line = base("job.rejected", jobId);
        line.put("reason", reason);
        out.write(line);
    }

    /** An attempt outlived its lease, so its {@code what} was not written: routine, not trouble. */
    public void leaseLost(String jobId, String what) {
        Map<String, Object> line = base("job.lease-lost", jobId);
        line.put("what", what);
        out.write(line);
    }

    /** A dead letter's job is still another worker's (leased, or changed meanwhile): its message comes back later. */
    public void busy(String jobId, String what) {
        Map<String, Object> line = base("job.busy", jobId);
        line.put("what", what);
        out.write(line);
    }

    public void error(String jobId, String what, Throwable failure) {
        Map<String, Object> line = base("job.error", jobId);
        line.put("what", what);
        line.put("error", failure.getClass().getName());
        line.put("message", String.valueOf(failure.getMessage()));
        out.write(line);
    }

    private Map<String, Object> base(String event, String jobId) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("event", event);
        line.put("jobId", jobId);
        return line;
    }
}
