package dev.mailroom.client;

import java.time.Instant;
import java.util.List;

/**
 * Where a job stands, as the service's ledger held it when {@link MailroomClient#status} read it (a
 * consistent read; README: Statuses). A value of the client's own: an application compiles against it,
 * never against the ledger, whose item may grow fields without this changing. Times are null when not set.
 *
 * @param status        the job's state
 * @param attempts      delivery attempts so far
 * @param nextAttemptAt when a DEFERRED job runs again
 * @param expiresAt     the job's own expiry, if it set one
 * @param lastError     the reason of a REJECTED or DEAD_LETTERED job, or the last deferral
 * @param messageId     the Message-ID of the composed message, once composed
 * @param archiveKey    the archived payload of a dead-lettered or rejected job, for
 *                      {@link MailroomClient#inspect}
 * @param recipients    one entry per envelope recipient, by address (lower case), in address order
 */
public record SendStatus(String jobId, JobState status, int attempts, Instant createdAt, Instant updatedAt,
                         Instant nextAttemptAt, Instant expiresAt, String lastError, String messageId,
                         String archiveKey, List<Recipient> recipients) {

    /** A job's state. DELIVERED, PARTIAL, FAILED, DEAD_LETTERED and REJECTED are final but for a redrive. */
    public enum JobState {
        /** Redriven, waiting for its next attempt. */
        QUEUED,
        /** Claimed by a worker, being delivered. */
        SENDING,
        /** Some recipients deferred; {@link SendStatus#nextAttemptAt} says when it runs again. */
        DEFERRED,
        /** Every recipient delivered. */
        DELIVERED,
        /** Some delivered, the rest failed for good. */
        PARTIAL,
        /** Every recipient failed for good. */
        FAILED,
        /** Expired or crashed too often; the reason in {@link SendStatus#lastError}, the payload archived. */
        DEAD_LETTERED,
        /** An invalid job; the reason in {@link SendStatus#lastError}. */
        REJECTED
    }

    /**
     * A recipient's state. All but PENDING and DEFERRED are final: such a recipient is not sent again.
     * BOUNCED and COMPLAINED follow DELIVERED, when a report arrives after the server accepted the message.
     */
    public enum RecipientState {
        /** Not attempted yet. */
        PENDING,
        /** Accepted by the receiving server (2xx). */
        DELIVERED,
        /** A transient failure (4xx, DNS, connection); tried again with the job. */
        DEFERRED,
        /** A permanent failure (5xx, no such domain, null MX, refused). */
        FAILED,
        /** Still undelivered when its job expired. */
        EXPIRED,
        /** On the suppression list when its job came to it: never sent ({@link Recipient#suppressedBy} says why). */
        SUPPRESSED,
        /** Delivered, then bounced: a permanent delivery status notification came back later (RFC 3464). */
        BOUNCED,
        /** Delivered, then reported as spam by its recipient (an ARF complaint, RFC 5965). */
        COMPLAINED
    }

    /**
     * One envelope recipient.
     *
     * @param replyCode    the SMTP reply code; null when no server replied (yet), e.g. a null MX
     * @param enhancedCode the RFC 3463 enhanced status code, e.g. {@code 4.3.0}
     * @param mxHost       the host that answered
     * @param attempts     delivery attempts that included this recipient
     * @param at           when the status was last set
     * @param signedBy     the DKIM keys that signed the message last offered, as their DNS names
     *                     ({@code s2026._domainkey.example.com}); empty when it went out unsigned
     * @param suppressedBy the suppression-list entry that kept a SUPPRESSED recipient from being sent;
     *                     null for every other state
     */
    public record Recipient(String address, RecipientState status, Integer replyCode, String enhancedCode,
                            String replyText, String mxHost, int attempts, Instant at, List<String> signedBy,
                            SuppressionEntry suppressedBy) {

        public Recipient {
            signedBy = List.copyOf(signedBy);
        }

        /** A recipient no suppression kept from being sent. */
        public Recipient(String address, RecipientState status, Integer replyCode, String enhancedCode,
                         String replyText, String mxHost, int attempts, Instant at, List<String> signedBy) {
            this(address, status, replyCode, enhancedCode, replyText, mxHost, attempts, at, signedBy, null);
        }
    }

    public SendStatus {
        recipients = List.copyOf(recipients);
    }
}
