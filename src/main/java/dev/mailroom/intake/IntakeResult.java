package dev.mailroom.intake;

import dev.mailroom.job.SendJob;
import jakarta.mail.internet.InternetAddress;
import java.util.List;

/** What intake made of a queue message: a job ready to deliver, or a rejection naming the field. */
public sealed interface IntakeResult {

    String jobId();

    /**
     * @param recipients the envelope: to, cc and bcc, de-duplicated, domains in ASCII (IDNA)
     */
    record Accepted(String jobId, SendJob job, List<InternetAddress> recipients) implements IntakeResult {
        public Accepted {
            recipients = List.copyOf(recipients);
        }
    }

    /** @param reason {@code "<field>: <problem>"}; never contains message content */
    record Rejected(String jobId, String reason) implements IntakeResult {
    }
}
