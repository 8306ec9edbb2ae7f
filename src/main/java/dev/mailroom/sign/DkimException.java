package dev.mailroom.sign;

import dev.mailroom.MailroomException;

/** Why a message cannot be signed. Messages name the key's domain and selector, never key material. */
public abstract sealed class DkimException extends MailroomException {

    private DkimException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A key that cannot be used: unreadable, of an unsupported kind, too short, or badly named. */
    public static final class BadKey extends DkimException {
        public BadKey(String problem) {
            super(problem, null);
        }

        public BadKey(String problem, Throwable cause) {
            super(problem, cause);
        }
    }

    /** The message's header block is larger than a signer keeps in memory: no real message has one. */
    public static final class HeaderBlockTooLarge extends DkimException {
        private final long limitBytes;

        public HeaderBlockTooLarge(long limitBytes) {
            super("the header block is larger than " + limitBytes + " bytes: not signed", null);
            this.limitBytes = limitBytes;
        }

        public long limitBytes() {
            return limitBytes;
        }
    }
}
