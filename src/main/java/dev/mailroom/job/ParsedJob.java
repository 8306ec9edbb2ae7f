package dev.mailroom.job;

import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job as intake accepted it, with what intake parsed of it, so that no later stage parses the
 * job's strings again: the envelope for SMTP, and for composition the header addresses and the
 * inline attachments' decoded bytes.
 *
 * @param job           the job as sent (its job id filled in)
 * @param headers       From, Reply-To, To and Cc as intake parsed them (a raw job's are its envelope's
 *                      sources only: its header is its stored message's)
 * @param inlineContent the decoded bytes of each inline attachment, by its index in {@code job.attachments()}
 */
public record ParsedJob(SendJob job, Envelope envelope, Headers headers, Map<Integer, byte[]> inlineContent) {

    public ParsedJob {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(headers, "headers");
        inlineContent = Map.copyOf(inlineContent);
    }

    /**
     * Header addresses, each with its display name, in the form intake gives them (local part in NFC,
     * possibly UTF-8; the domain a lower-case A-label): what the message's From, Reply-To, To and Cc
     * fields say. Bcc recipients are in the envelope only.
     */
    public record Headers(InternetAddress from, List<InternetAddress> replyTo, List<InternetAddress> to,
                          List<InternetAddress> cc) {

        public Headers {
            Objects.requireNonNull(from, "from");
            replyTo = List.copyOf(replyTo);
            to = List.copyOf(to);
            cc = List.copyOf(cc);
        }

        /**
         * Whether a header address has a non-ASCII local part: then the message carries UTF-8 header
         * fields (RFC 6532), and may only be sent in an SMTPUTF8 transaction.
         */
        public boolean international() {
            return java.util.stream.Stream.of(List.of(from), replyTo, to, cc).flatMap(List::stream)
                    .anyMatch(address -> AddressForm.isInternational(address.getAddress()));
        }
    }

    /** The decoded content of the inline attachment at {@code index} of the job's attachments. */
    public byte[] inlineContent(int index) {
        byte[] content = inlineContent.get(index);
        if (content == null) {
            throw new IllegalArgumentException("attachment " + index + " has no inline content");
        }
        return content;
    }
}
