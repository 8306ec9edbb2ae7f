package dev.mailroom.run;

import dev.mailroom.compose.MessageComposer;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.sign.MessageSigning;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Properties;
import java.util.UUID;

/**
 * Runs a job's code paths without sending or writing anything — intake, composition and signing of
 * a sample job (written to nowhere), and a ledger read of a job that does not exist — so that their
 * classes are loaded and initialised. For SnapStart's before-snapshot hook; it holds no secret: its
 * signing keys are the caller's throwaway ones.
 */
public final class PrimingJob {

    private PrimingJob() {
    }

    /** @param senderDomain an allowed sender domain, so that intake accepts the sample */
    public static void run(JobIntake intake, MessageComposer composer, MessageSigning signing, Ledger ledger,
                           String senderDomain) {
        String sender = "priming@" + senderDomain;
        String sample = "{\"version\":1,\"jobId\":\"mailroom-priming\",\"from\":\"Priming <" + sender + ">\","
                + "\"to\":[\"priming@example.invalid\"],\"subject\":\"Priming \u00e9\",\"text\":\"Priming\","
                + "\"html\":\"<p>Priming</p>\",\"headers\":{\"X-Priming\":\"1\"}}";
        IntakeResult result = intake.accept(sample, "mailroom-priming");
        if (!(result instanceof IntakeResult.Accepted accepted)) {
            throw new IllegalStateException("the priming job was refused: " + result);
        }
        try {
            signing.sign(composer.compose(accepted.parsed()), accepted.parsed()).message()
                    .newInstance(Session.getInstance(new Properties())).writeTo(OutputStream.nullOutputStream());
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("the priming job could not be composed", e);
        }
        ledger.find("mailroom-priming-" + UUID.randomUUID());
    }
}
