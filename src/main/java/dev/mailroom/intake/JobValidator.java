package dev.mailroom.intake;

import dev.mailroom.job.AddressForm;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The checks a job passes before anything is sent (DESIGN.md §2). The first violation found is
 * reported, by field: {@code "to[2]: not a valid address"}.
 */
final class JobValidator {

    static final int SUPPORTED_VERSION = SendJob.VERSION;
    private static final int MAX_S3_KEY_BYTES = 1024;
    private static final int MAX_TAGS = 50;

    private final JobLimits limits;
    private final SenderPolicy senders;
    private final Set<String> attachmentBuckets;
    private final UnsubscribeRules unsubscribe;
    private final ReturnPaths returnPaths;

    JobValidator(JobLimits limits, SenderPolicy senders, Set<String> attachmentBuckets,
                 Supplier<UnsubscribeSupport> unsubscribe, ReturnPaths returnPaths) {
        this.returnPaths = returnPaths;
        this.limits = limits;
        this.senders = senders;
        this.attachmentBuckets = Set.copyOf(attachmentBuckets);
        this.unsubscribe = new UnsubscribeRules(unsubscribe);
    }

    /**
     * @param jobId the id the job goes by: its own, else the fallback (unsubscribe tokens name it)
     * @return the job under that id with what was parsed of it: the envelope (sender, and recipients
     *         de-duplicated), the header addresses (IDNA-normalised), the inline attachments decoded and
     *         the List-Unsubscribe to write
     */
    ParsedJob validate(SendJob job, String jobId) {
        if (job.version() != SUPPORTED_VERSION) {
            throw new JobRejectedException("version", job.version() == 0
                    ? "is required (this Mailroom reads version " + SUPPORTED_VERSION + ")"
                    : "unsupported version " + job.version() + " (this Mailroom reads version "
                            + SUPPORTED_VERSION + ")");
        }
        if (job.jobId() != null) {
            requireJobId(job.jobId());
        }
        InternetAddress from = checkFrom(job);
        InternetAddress sender = checkEnvelopeFrom(job, from);
        List<InternetAddress> replyTo = addresses("replyTo", job.replyTo());
        List<InternetAddress> to = addresses("to", job.to());
        List<InternetAddress> cc = addresses("cc", job.cc());
        List<InternetAddress> bcc = addresses("bcc", job.bcc());
        List<InternetAddress> recipients = recipients(List.of(to, cc, bcc));
        Map<Integer, byte[]> inline = checkContent(job);
        SendJob identified = job.jobId() != null ? job : job.withJobId(jobId);
        Optional<ParsedJob.ListUnsubscribe> listUnsubscribe = unsubscribe.check(identified, from, recipients);
        checkTags(job.tags());
        return new ParsedJob(identified, returnPaths.envelope(identified, sender.getAddress(), recipients),
                new ParsedJob.Headers(from, replyTo, to, cc), inline, listUnsubscribe);
    }

    static void requireJobId(String jobId) {
        if (!SendJob.isValidJobId(jobId)) {
            throw new JobRejectedException("jobId", SendJob.JOB_ID_RULE);
        }
    }

    private InternetAddress checkFrom(SendJob job) {
        if (job.from() == null) {
            throw new JobRejectedException("from", "is required");
        }
        InternetAddress from = AddressRules.parse("from", job.from());
        requireValue("from", job.from());
        // A raw message is signed for its own From field (SenderFieldRules holds it to the key rule):
        // the job's from only has to be allowed.
        Optional<String> refused = job.isRaw()
                ? (senders.allows(from.getAddress()) ? Optional.empty()
                        : Optional.of("domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS"))
                : senders.refusesFrom(from.getAddress());
        refused.ifPresent(reason -> {
            throw new JobRejectedException("from", reason);
        });
        return from;
    }

    /** @return the envelope sender: envelopeFrom when given, else from */
    private InternetAddress checkEnvelopeFrom(SendJob job, InternetAddress from) {
        if (job.envelopeFrom() == null) {
            return from;
        }
        InternetAddress sender = AddressRules.parse("envelopeFrom", job.envelopeFrom());
        if (!senders.allows(sender.getAddress())) {
            throw new JobRejectedException("envelopeFrom", "domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
        }
        return sender;
    }

    /** Each address of a list field ({@code to[0]}, {@code to[1]}…), parsed and checked. */
    private List<InternetAddress> addresses(String field, List<String> values) {
        List<InternetAddress> parsed = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String name = field + "[" + i + "]";
            parsed.add(AddressRules.parse(name, values.get(i)));
            requireValue(name, values.get(i));
        }
        return parsed;
    }

    /** to, cc and bcc, de-duplicated by their normal form ({@link AddressForm#key}), within the limit. */
    private List<InternetAddress> recipients(List<List<InternetAddress>> lists) {
        Map<String, InternetAddress> unique = new LinkedHashMap<>();
        int total = 0;
        for (List<InternetAddress> list : lists) {
            for (InternetAddress address : list) {
                unique.putIfAbsent(AddressForm.key(address.getAddress()), address);
                total++;
            }
        }
        if (total == 0) {
            throw new JobRejectedException("to", "at least one recipient is required in to, cc or bcc");
        }
        if (total > limits.maxRecipients()) {
            throw new JobRejectedException("to", total + " recipients exceed the limit of " + limits.maxRecipients());
        }
        return List.copyOf(unique.values());
    }

    /** @return the inline attachments' decoded content, by attachment index */
    private Map<Integer, byte[]> checkContent(SendJob job) {
        if (job.isRaw()) {
            if (job.text() != null || job.html() != null || !job.attachments().isEmpty() || job.subject() != null
                    || !job.headers().isEmpty() || job.unsubscribe() != null) {
                throw new JobRejectedException("raw",
                        "cannot be combined with subject, text, html, headers, attachments or unsubscribe");
            }
            requireS3("raw.s3", job.raw().s3());
            return Map.of();
        }
        if (job.text() == null && job.html() == null) {
            throw new JobRejectedException("text", "a body is required: text, html or raw");
        }
        if (job.subject() != null) {
            requireValue("subject", job.subject());
        }
        job.headers().forEach((name, value) -> {
            HeaderRules.requireCustomHeaderName("headers." + name, name);
            if (value == null) {
                throw new JobRejectedException("headers." + name, "has no value");
            }
            requireValue("headers." + name, value);
        });
        return checkAttachments(job.attachments());
    }

    private Map<Integer, byte[]> checkAttachments(List<Attachment> attachments) {
        if (attachments.size() > limits.maxAttachments()) {
            throw new JobRejectedException("attachments", attachments.size() + " attachments exceed the limit of "
                    + limits.maxAttachments());
        }
        long inlineBytes = 0;
        Map<Integer, byte[]> inline = new HashMap<>();
        for (int i = 0; i < attachments.size(); i++) {
            String field = "attachments[" + i + "]";
            Attachment attachment = attachments.get(i);
            if (attachment == null) {
                throw new JobRejectedException(field, "is null");
            }
            if ((attachment.content() == null) == (attachment.s3() == null)) {
                throw new JobRejectedException(field, "needs exactly one of content or s3");
            }
            checkAttachmentHeaders(field, attachment);
            if (attachment.s3() != null) {
                requireS3(field + ".s3", attachment.s3());
            } else {
                byte[] content = decoded(field + ".content", attachment.content());
                inlineBytes += content.length;
                if (inlineBytes > limits.maxInlineBytes()) {
                    throw new JobRejectedException(field + ".content", "inline content exceeds "
                            + limits.maxInlineBytes() + " bytes in total; put large attachments in S3");
                }
                inline.put(i, content);
            }
        }
        return inline;
    }

    private void checkAttachmentHeaders(String field, Attachment attachment) {
        if (attachment.filename() != null) {
            requireValue(field + ".filename", attachment.filename());
        }
        if (attachment.contentType() != null) {
            requireValue(field + ".contentType", attachment.contentType());
            ContentType type;
            try {
                type = new ContentType(attachment.contentType());
            } catch (ParseException e) {
                throw new JobRejectedException(field + ".contentType", "not a MIME type");
            }
            // A multipart body would have to be a real multipart, boundaries included.
            if (type.match("multipart/*")) {
                throw new JobRejectedException(field + ".contentType", "multipart types are not attachments");
            }
            // RFC 2046 §5.2: a message/* part is 7bit, 8bit or binary, never base64 — and Jakarta Mail
            // writes it unencoded whatever it is labelled, so it could not go out as declared.
            if (type.match("message/*")) {
                throw new JobRejectedException(field + ".contentType", "message/* cannot be an encoded attachment; "
                        + "attach it as application/octet-stream, or send it as a raw job");
            }
        }
        if (attachment.disposition() != null
                && !Set.of("attachment", "inline").contains(attachment.disposition().toLowerCase(Locale.ROOT))) {
            throw new JobRejectedException(field + ".disposition", "must be attachment or inline");
        }
        if (attachment.contentId() != null && !Attachment.isValidContentId(attachment.contentId())) {
            throw new JobRejectedException(field + ".contentId", Attachment.CONTENT_ID_RULE);
        }
    }

    private void requireS3(String field, S3Location location) {
        if (location == null || location.bucket() == null || location.key() == null) {
            throw new JobRejectedException(field, "needs bucket and key");
        }
        if (!attachmentBuckets.contains(location.bucket())) {
            throw new JobRejectedException(field + ".bucket", "is not in MAILROOM_ATTACHMENT_BUCKETS");
        }
        String key = location.key();
        if (key.isEmpty() || key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_S3_KEY_BYTES) {
            throw new JobRejectedException(field + ".key", "must be 1-" + MAX_S3_KEY_BYTES + " bytes");
        }
        HeaderRules.requireNoControlCharacters(field + ".key", key);
        if (key.startsWith("/") || key.contains("\\") || List.of(key.split("/", -1)).contains("..")) {
            throw new JobRejectedException(field + ".key", "must not contain path tricks (leading /, \\ or ..)");
        }
    }

    private static byte[] decoded(String field, String base64) {
        try {
            return Base64.getMimeDecoder().decode(strictBase64(field, base64));
        } catch (IllegalArgumentException e) {
            throw new JobRejectedException(field, "not valid base64");
        }
    }

    // The MIME decoder skips any non-alphabet character; accept only the alphabet and whitespace.
    private static String strictBase64(String field, String base64) {
        if (!base64.matches("[A-Za-z0-9+/=\\s]*")) {
            throw new JobRejectedException(field, "not valid base64");
        }
        return base64;
    }

    private void requireValue(String field, String value) {
        HeaderRules.requireValue(field, value, limits.maxHeaderBytes());
    }

    private void checkTags(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new JobRejectedException("tags", "at most " + MAX_TAGS + " tags");
        }
        tags.forEach((name, value) -> {
            requireValue("tags." + name, name);
            if (value == null || value.length() > 256) {
                throw new JobRejectedException("tags." + name, "values must be 1-256 characters");
            }
            requireValue("tags." + name, value);
        });
    }

}
