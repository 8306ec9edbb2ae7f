package dev.mailroom.intake;

import dev.mailroom.job.Envelope;
import dev.mailroom.job.SendJob;
import jakarta.mail.internet.InternetAddress;
import java.util.List;

/** What intake made of a queue message: a job ready to deliver, or a rejection naming the field. */
public sealed interface IntakeResult {

    String jobId();

    /**
     * @param envelope the envelope intake parsed: sender and recipients (to, cc and bcc,
     *                 de-duplicated), domains in ASCII (IDNA); delivery uses it as it is
     */
    record Accepted(String jobId, SendJob job, Envelope envelope) implements IntakeResult {

        public List<InternetAddress> recipients() {
            return envelope.recipients();
        }
    }

    /** @param reason {@code "<field>: <problem>"}; never contains message content */
    record Rejected(String jobId, String reason) implements IntakeResult {
    }
}
