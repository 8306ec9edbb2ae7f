package dev.mailroom.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A send job, contract v1 (DESIGN.md §2): what a cloud application puts on the send queue.
 * Either a structured message (from, subject, text and/or html, attachments) or a complete
 * RFC 5322 message in S3 ({@code raw}); the envelope comes from {@code envelopeFrom}/{@code from}
 * and {@code to}/{@code cc}/{@code bcc} in both cases.
 *
 * <p>The record holds the job as written; validation happens before delivery.
 */
public record SendJob(int version, String jobId, String from, String envelopeFrom, List<String> replyTo,
                      List<String> to, List<String> cc, List<String> bcc, String subject, String text,
                      String html, Map<String, String> headers, List<Attachment> attachments,
                      RawSource raw, Map<String, String> tags, Instant expiresAt) {

    /** A complete message the application built itself, stored in S3 (like SES SendRawEmail). */
    public record RawSource(S3Location s3) {
    }

    public SendJob {
        replyTo = replyTo == null ? List.of() : List.copyOf(replyTo);
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        bcc = bcc == null ? List.of() : List.copyOf(bcc);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    @JsonIgnore
    public boolean isRaw() {
        return raw != null;
    }
}
