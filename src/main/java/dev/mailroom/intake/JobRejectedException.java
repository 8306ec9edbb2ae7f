package dev.mailroom.intake;

import dev.mailroom.MailroomException;

/** Thrown inside intake when a field is invalid; intake turns it into {@link IntakeResult.Rejected}. */
final class JobRejectedException extends MailroomException {

    private final String field;

    JobRejectedException(String field, String problem) {
        super(printable(field) + ": " + problem);
        this.field = printable(field);
    }

    /** Field names may come from the input (header and tag names): printable and short only. */
    static String printable(String field) {
        String clean = field.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 100) + "…";
    }

    String field() {
        return field;
    }
}
