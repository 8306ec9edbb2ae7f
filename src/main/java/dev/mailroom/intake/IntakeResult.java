package dev.mailroom.intake;

import dev.mailroom.job.Envelope;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.SendJob;
import jakarta.mail.internet.InternetAddress;
import java.util.List;

/** What intake made of a queue message: a job ready to deliver, or a rejection naming the field. */
public sealed interface IntakeResult {

    String jobId();

    /** @param parsed the job and what intake parsed of it; later stages use it as it is */
    record Accepted(String jobId, ParsedJob parsed) implements IntakeResult {

        public SendJob job() {
            return parsed.job();
        }

        /** Sender and recipients (to, cc and bcc, de-duplicated), domains in ASCII (IDNA). */
        public Envelope envelope() {
            return parsed.envelope();
        }

        public List<InternetAddress> recipients() {
            return parsed.envelope().recipients();
        }
    }

    /** @param reason {@code "<field>: <problem>"}; never contains message content */
    record Rejected(String jobId, String reason) implements IntakeResult {
    }
}
