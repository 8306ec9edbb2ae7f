package dev.mailroom;

/**
 * The root of Mailroom's own exceptions. Subclasses carry data (a job id, an SMTP reply)
 * rather than prose; messages never contain message bodies, attachment bytes or secrets.
 */
public class MailroomException extends RuntimeException {

    public MailroomException(String message) {
        super(message);
    }

    public MailroomException(String message, Throwable cause) {
        super(message, cause);
    }
}
