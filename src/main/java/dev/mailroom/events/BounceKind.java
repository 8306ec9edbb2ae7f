package dev.mailroom.events;

/**
 * A bounce's {@code bounceType} and {@code bounceSubType}, as SES's table "Bounce types" pairs
 * them (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html#event-publishing-retrieving-sns-contents-bounce-types).
 * {@link BounceKinds} decides which one a failure is.
 */
public enum BounceKind {
    UNDETERMINED("Undetermined", "Undetermined"),
    PERMANENT_GENERAL("Permanent", "General"),
    /** "the target email address does not exist". */
    PERMANENT_NO_EMAIL("Permanent", "NoEmail"),
    /** "on the account-level suppression list": Mailroom's list, global or a tenant's, is the account's. */
    PERMANENT_ON_ACCOUNT_SUPPRESSION_LIST("Permanent", "OnAccountSuppressionList"),
    TRANSIENT_GENERAL("Transient", "General"),
    TRANSIENT_MAILBOX_FULL("Transient", "MailboxFull"),
    TRANSIENT_MESSAGE_TOO_LARGE("Transient", "MessageTooLarge"),
    TRANSIENT_CONTENT_REJECTED("Transient", "ContentRejected");

    private final String type;
    private final String subType;

    BounceKind(String type, String subType) {
        this.type = type;
        this.subType = subType;
    }

    /** {@code bounceType}: Permanent, Transient or Undetermined. */
    public String type() {
        return type;
    }

    /** {@code bounceSubType}. */
    public String subType() {
        return subType;
    }
}
