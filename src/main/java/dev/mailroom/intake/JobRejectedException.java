package dev.mailroom.intake;

import dev.mailroom.MailroomException;

/** Thrown inside intake when a field is invalid; intake turns it into {@link IntakeResult.Rejected}. */
final class JobRejectedException extends MailroomException {

    private final String field;

    JobRejectedException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    String field() {
        return field;
    }
}
