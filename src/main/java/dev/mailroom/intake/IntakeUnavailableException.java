package dev.mailroom.intake;

import dev.mailroom.MailroomException;

/**
 * Intake cannot judge a job now — something a rule consults (the signing keys, read from Secrets
 * Manager) could not be read — so the job is neither accepted nor rejected: the exception leaves
 * intake, and the message stays on the queue for a later attempt. Never a rejection: a rejected job
 * is dead-lettered for good.
 */
public final class IntakeUnavailableException extends MailroomException {

    public IntakeUnavailableException(String what, Throwable cause) {
        super(what + " could not be read: the job is judged later", cause);
    }
}
