package dev.mailroom.client;

import dev.mailroom.MailroomException;

/** An operation needs a {@link ClientSettings} field that was not given. */
public final class MissingSettingException extends MailroomException {

    private final String setting;

    public MissingSettingException(String setting) {
        super("the client has no " + setting + " setting");
        this.setting = setting;
    }

    /** One of the {@link ClientSettings} names such as {@link ClientSettings#QUEUE_URL}. */
    public String setting() {
        return setting;
    }
}
