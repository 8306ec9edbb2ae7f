package dev.mailroom.events;

import dev.mailroom.events.SesMail.CommonHeaders;
import dev.mailroom.events.SesMail.Header;
import dev.mailroom.job.SendJob;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds SES's {@code mail} object from a job: the same for every event of the job, so a consumer
 * sees one message.
 *
 * <p>{@code headers} is the subset Mailroom knows without the composed message: From, To, Cc,
 * Subject, Message-ID and the job's own header fields, never Bcc. Like SES it stops at 10 KB of
 * header text and says so in {@code headersTruncated}.
 */
final class MailFacts {

    /** SES: "the headers are truncated in the notification … if the headers are larger than 10 KB". */
    static final int MAX_HEADER_BYTES = 10 * 1024;

    /** Mailroom's own tags, beside the job's, as SES puts its own under {@code ses:}. */
    static final String JOB_ID_TAG = "mailroom:job-id";
    static final String MX_HOST_TAG = "mailroom:mx-host";

    private MailFacts() {
    }

    /**
     * @param messageId  the ledger's Message-ID, with or without angle brackets
     * @param acceptedAt when the ledger first recorded the job
     */
    static SesMail of(SendJob job, String jobId, String messageId, Instant acceptedAt, EventOrigin origin) {
        String bare = stripBrackets(messageId);
        String from = job.from() == null ? "" : job.from();
        String source = job.envelopeFrom() != null ? job.envelopeFrom() : from;
        List<String> destination = Stream.of(job.to(), job.cc(), job.bcc()).flatMap(List::stream).toList();
        List<Header> all = new ArrayList<>();
        all.add(new Header("From", from));
        all.add(new Header("To", String.join(", ", job.to())));
        if (!job.cc().isEmpty()) {
            all.add(new Header("Cc", String.join(", ", job.cc())));
        }
        if (job.subject() != null) {
            all.add(new Header("Subject", job.subject()));
        }
        all.add(new Header("Message-ID", "<" + bare + ">"));
        job.headers().forEach((name, value) -> all.add(new Header(name, value)));
        List<Header> kept = upTo(all, MAX_HEADER_BYTES);
        CommonHeaders common = new CommonHeaders(job.from() == null ? List.of() : List.of(job.from()), job.to(),
                "<" + bare + ">", job.subject());
        return new SesMail(Timestamps.iso(acceptedAt), source, origin.sourceArn().orElse(null),
                origin.sendingAccountId().orElse(null), bare, destination, kept.size() < all.size(), kept, common,
                tags(job.tags(), jobId));
    }

    private static List<Header> upTo(List<Header> headers, int maxBytes) {
        List<Header> kept = new ArrayList<>();
        int bytes = 0;
        for (Header header : headers) {
            // name ": " value CRLF, as the field would stand in the message
            bytes += (header.name() + ": " + header.value() + "\r\n").getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                break;
            }
            kept.add(header);
        }
        return kept;
    }

    /** The job's tags as SES's name → [values]; Mailroom's own job-id tag wins over a job's of that name. */
    private static Map<String, List<String>> tags(Map<String, String> jobTags, String jobId) {
        Map<String, List<String>> tags = new TreeMap<>();
        jobTags.forEach((name, value) -> tags.put(name, List.of(value)));
        tags.put(JOB_ID_TAG, List.of(jobId));
        return tags;
    }

    private static String stripBrackets(String messageId) {
        String id = messageId.trim();
        return id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
    }
}
