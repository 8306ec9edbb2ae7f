package dev.mailroom.job;

import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job as intake accepted it, with what intake parsed of it, so that no later stage parses the
 * job's strings again: the envelope for SMTP, and for composition the header addresses and the
 * inline attachments' decoded bytes.
 *
 * @param job           the job as sent (its job id filled in)
 * @param headers       From, Reply-To, To and Cc as intake parsed them (a raw job's are its envelope's
 *                      sources only: its header is its stored message's)
 * @param inlineContent the decoded bytes of each inline attachment, by its index in {@code job.attachments()}
 * @param unsubscribe   the job's {@code unsubscribe} as intake checked it; empty when it has none
 */
public record ParsedJob(SendJob job, Envelope envelope, Headers headers, Map<Integer, byte[]> inlineContent,
                        Optional<ListUnsubscribe> unsubscribe) {

    public ParsedJob {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(headers, "headers");
        inlineContent = Map.copyOf(inlineContent);
        Objects.requireNonNull(unsubscribe, "unsubscribe");
    }

    /** Whether every recipient gets a message of their own: an unsubscribe URL that names each one. */
    public boolean isPerRecipient() {
        return unsubscribe.map(ListUnsubscribe::isPerRecipient).orElse(false);
    }

    /**
     * The job's {@link Unsubscribe} as intake resolved it: what composition writes into List-Unsubscribe.
     *
     * @param url    the https URL, Mailroom's endpoint filled in when the job named none; per recipient
     *               when it holds {@value Unsubscribe#TOKEN}
     * @param mailto the mailto: URI, a bare address made one
     * @param scope  the job's scope, else the From address's domain
     */
    public record ListUnsubscribe(String url, Optional<String> mailto, String scope) {

        public ListUnsubscribe {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(mailto, "mailto");
            Objects.requireNonNull(scope, "scope");
        }

        public boolean isPerRecipient() {
            return url.contains(Unsubscribe.TOKEN);
        }

        /**
         * The List-Unsubscribe field's value (RFC 2369 §3.2): the https URL first, since RFC 8058 §3.1
         * one-click applies to it, then the mailto: URI.
         *
         * @param token the recipient's token, for a per-recipient URL; ignored otherwise
         */
        public String fieldValue(String token) {
            String https = "<" + url.replace(Unsubscribe.TOKEN, token) + ">";
            return mailto.map(m -> https + ", <" + m + ">").orElse(https);
        }
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
