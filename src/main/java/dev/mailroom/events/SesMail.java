package dev.mailroom.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * SES's {@code mail} object ("Contents of event data…", § Mail object): the message an event is
 * about. {@link MailFacts} makes it from a job.
 *
 * @param timestamp        when the job was accepted (SES: "when the message was sent"), ISO 8601 with
 *                         milliseconds, UTC ({@link Timestamps})
 * @param source           the envelope sender; SES's table says the MAIL FROM address, its examples
 *                         show the From field ({@code Sender Name <sender@example.com>}): Mailroom
 *                         gives the job's {@code envelopeFrom}, else its {@code from}, as written
 * @param sourceArn        absent unless the deployment names one (Mailroom sends as no SES identity)
 * @param sendingAccountId absent unless the deployment names its AWS account
 * @param messageId        the ledger's Message-ID without its angle brackets
 * @param destination      every envelope recipient of the job: to, cc and bcc, as SES lists them
 * @param headersTruncated a JSON boolean, as SES's examples publish it (its table calls it "a string"
 *                         whose values are true and false); true once {@code headers} were cut at 10 KB
 * @param tags             SES's shape, name → list of values: the job's tags, each as a one-value
 *                         list, and Mailroom's own under the {@code mailroom:} prefix, as SES's own
 *                         go under {@code ses:}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"timestamp", "source", "sourceArn", "sendingAccountId", "messageId", "destination",
        "headersTruncated", "headers", "commonHeaders", "tags"})
public record SesMail(String timestamp, String source, String sourceArn, String sendingAccountId, String messageId,
                      List<String> destination, boolean headersTruncated, List<Header> headers,
                      CommonHeaders commonHeaders, Map<String, List<String>> tags) {

    public SesMail {
        destination = List.copyOf(destination);
        headers = List.copyOf(headers);
        tags = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(tags));
    }

    /** The same mail with more tags (an event's own, such as the MX host that answered). */
    SesMail withTags(Map<String, List<String>> more) {
        Map<String, List<String>> all = new java.util.TreeMap<>(tags);
        all.putAll(more);
        return new SesMail(timestamp, source, sourceArn, sendingAccountId, messageId, destination, headersTruncated,
                headers, commonHeaders, all);
    }

    /** One header field, {@code {"name": …, "value": …}}. */
    public record Header(String name, String value) {
    }

    /**
     * SES's {@code commonHeaders}: an object (the table's "a list … each with a name field and a value
     * field" is not what the examples, or SES, publish). {@code subject} is absent when the job has
     * none to show (a raw message's is in its stored header), as SES leaves it out of a templated
     * Send; {@code date} is left out: the Date field is made at composition, after the ledger knows
     * the job, and none of SES's examples carries one.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"from", "to", "messageId", "subject"})
    public record CommonHeaders(List<String> from, List<String> to, String messageId, String subject) {
        public CommonHeaders {
            from = List.copyOf(from);
            to = List.copyOf(to);
        }
    }
}
