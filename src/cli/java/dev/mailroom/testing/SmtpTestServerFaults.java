package dev.mailroom.testing;

/**
 * Faults a {@link SmtpTestServer} draws per event, beside the fixed script of its builder: asked
 * once at each greeting, each RCPT TO and each DATA that the fixed script lets through. An
 * implementation may decide at random (the reliability tests draw from one seeded generator) and is
 * called from every session's thread at once.
 */
public interface SmtpTestServerFaults {

    /** An SMTP reply: a code 400..599 and its text (enhanced status code first). */
    record Reply(int code, String text) {
    }

    /** What happens to one message, decided when its DATA begins. */
    sealed interface DataFault {
    }

    /** Take the message: store it and answer 250 (unless the fixed script says otherwise). */
    record Accept() implements DataFault {
    }

    /** Read the whole message, store nothing, answer {@code reply}. */
    record Reject(Reply reply) implements DataFault {
    }

    /**
     * Read the header block and at least {@code afterBytes} of the message (or all of it), then reset
     * the connection: no reply.
     */
    record Drop(long afterBytes) implements DataFault {
    }

    /** Never a fault. */
    SmtpTestServerFaults NONE = new SmtpTestServerFaults() {
        @Override
        public Reply atGreeting() {
            return null;
        }

        @Override
        public Reply atRecipient(String address) {
            return null;
        }

        @Override
        public DataFault atData() {
            return new Accept();
        }
    };

    /** @return null for the 220 greeting, else the reply that replaces it (and ends the session) */
    Reply atGreeting();

    /** @return null to accept the recipient, else the reply to its RCPT TO */
    Reply atRecipient(String address);

    DataFault atData();
}
