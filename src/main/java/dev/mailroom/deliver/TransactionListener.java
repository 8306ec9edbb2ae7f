package dev.mailroom.deliver;

import java.util.List;

/**
 * Hears of each SMTP transaction of a message that ends while others of the same message are still
 * running, on the thread that ran it — so that its deliveries can be recorded at once rather than
 * after the slowest domain. Must not throw: the message's other transactions are still running.
 */
@FunctionalInterface
public interface TransactionListener {

    /**
     * @param messageId the message's Message-ID
     * @param results   what happened to the transaction's recipients
     */
    void ended(String messageId, List<RecipientResult> results);
}
