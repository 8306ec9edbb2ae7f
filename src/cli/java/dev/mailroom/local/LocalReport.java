package dev.mailroom.local;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.io.PrintStream;

/** How the local stack prints a finished job: its status, and why it ended so when not delivered. */
final class LocalReport {

    private LocalReport() {
    }

    /** The job's line, its reason unless it was delivered, and one line per recipient. */
    static void print(PrintStream out, JobRecord job, String file) {
        out.printf("%-28s %-14s attempts=%d  (%s)%n", job.jobId(), job.status(), job.attempts(), file);
        if (job.lastError() != null && (job.recipients().isEmpty() || job.status() != JobStatus.DELIVERED)) {
            out.println("    reason: " + job.lastError());
        }
        job.recipients().forEach((address, r) -> out.println(recipientLine(address, r, job)));
    }

    /** A recipient's status, and for one not delivered the reason: the server's reply, or the job's. */
    static String recipientLine(String address, RecipientRecord r, JobRecord job) {
        StringBuilder line = new StringBuilder(String.format("    %-30s %-9s", address, r.status()));
        if (r.replyCode() != null) {
            line.append(' ').append(r.replyCode());
        }
        if (r.enhancedCode() != null) {
            line.append(' ').append(r.enhancedCode());
        }
        if (r.mxHost() != null) {
            line.append(" via ").append(r.mxHost());
        }
        if (r.status() != RecipientStatus.DELIVERED) {
            String reason = r.replyText() != null ? r.replyText() : job.lastError();
            line.append(" — ").append(reason != null ? reason : "no reason recorded");
        }
        return line.toString();
    }
}
