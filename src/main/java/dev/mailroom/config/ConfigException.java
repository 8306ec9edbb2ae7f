package dev.mailroom.config;

import dev.mailroom.MailroomException;

/** A configuration variable is missing or malformed. The message names the variable. */
public final class ConfigException extends MailroomException {

    private final String variable;

    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
