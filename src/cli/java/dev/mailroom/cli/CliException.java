package dev.mailroom.cli;

import dev.mailroom.MailroomException;

/** A problem the CLI reports as it is, in one line: a bad setting, an unknown job. */
final class CliException extends MailroomException {

    CliException(String message) {
        super(message);
    }
}
