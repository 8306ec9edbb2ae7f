package dev.mailroom.compose;

import dev.mailroom.MailroomException;
import dev.mailroom.job.S3Location;

/** An attachment (or raw message) could not be read from its store. */
public abstract sealed class AttachmentException extends MailroomException {

    private final S3Location location;

    private AttachmentException(S3Location location, String message, Throwable cause) {
        super(message + ": " + location, cause);
        this.location = location;
    }

    public S3Location location() {
        return location;
    }

    /** Missing, or access denied: retrying won't help. */
    public static final class NotFound extends AttachmentException {
        public NotFound(S3Location location, Throwable cause) {
            super(location, "attachment not found", cause);
        }
    }

    /** The object is there but is not what the job says (a raw message that is not RFC 5322). */
    public static final class Malformed extends AttachmentException {
        public Malformed(S3Location location, String problem) {
            super(location, "malformed (" + problem + ")", null);
        }
    }

    /** Throttled, 5xx, network trouble: may work on a later attempt. */
    public static final class Unavailable extends AttachmentException {
        public Unavailable(S3Location location, Throwable cause) {
            super(location, "attachment store unavailable", cause);
        }
    }
}
