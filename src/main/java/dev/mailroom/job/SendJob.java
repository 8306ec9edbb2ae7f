package dev.mailroom.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A send job, contract v1 (DESIGN.md §2): what a cloud application puts on the send queue.
 * Either a structured message (from, subject, text and/or html, attachments) or a complete
 * RFC 5322 message in S3 ({@code raw}); the envelope comes from {@code envelopeFrom}/{@code from}
 * and {@code to}/{@code cc}/{@code bcc} in both cases. A structured message may ask for one-click
 * unsubscribe headers ({@link Unsubscribe}).
 *
 * <p>The record holds the job as written; validation happens before delivery. The rules the contract
 * sets on its identifiers are defined here, once, for both sides: the client checks them as an email
 * is built, the intake enforces them.
 */
public record SendJob(int version, String jobId, String from, String envelopeFrom, List<String> replyTo,
                      List<String> to, List<String> cc, List<String> bcc, String subject, String text,
                      String html, Map<String, String> headers, Unsubscribe unsubscribe, List<Attachment> attachments,
                      RawSource raw, Map<String, String> tags, Instant expiresAt) {

    /** The contract version this record is: what the client writes and the intake reads. */
    public static final int VERSION = 1;

    /** The longest job id, in characters. */
    public static final int MAX_JOB_ID_CHARS = 200;
    /** How a refusal states the job id rule, after the field name. */
    public static final String JOB_ID_RULE = "must be 1-" + MAX_JOB_ID_CHARS
            + " characters of letters, digits and ._:/@+=-";
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._:/@+=-]+");

    /** A complete message the application built itself, stored in S3 (like SES SendRawEmail). */
    public record RawSource(S3Location s3) {
    }

    public SendJob {
        // Null elements are kept for validation to name them ("cc[0]: is empty"), hence no List.copyOf.
        replyTo = copy(replyTo);
        to = copy(to);
        cc = copy(cc);
        bcc = copy(bcc);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        attachments = copy(attachments);
        tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** The same job under the id the pipeline knows it by (the SQS message id when it had none). */
    public SendJob withJobId(String id) {
        return new SendJob(version, id, from, envelopeFrom, replyTo, to, cc, bcc, subject, text, html, headers,
                unsubscribe, attachments, raw, tags, expiresAt);
    }

    /**
     * The job id rule (DESIGN.md §2): {@value #JOB_ID_RULE}. The id is the idempotency key; it names
     * the job's ledger item, log lines and S3 objects.
     */
    public static boolean isValidJobId(String jobId) {
        return jobId != null && !jobId.isEmpty() && jobId.length() <= MAX_JOB_ID_CHARS
                && JOB_ID.matcher(jobId).matches();
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    @JsonIgnore
    public boolean isRaw() {
        return raw != null;
    }
}
