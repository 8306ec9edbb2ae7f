package dev.mailroom.client;

import dev.mailroom.job.Attachment;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An {@link Email} → a v1 {@link SendJob} plus the uploads it refers to. Attachments go inline (base64)
 * in order while their running total stays within the inline limit; the rest are planned for upload to
 * {@code attachments/<jobId>/<send>/<n>-<filename>}, the raw message to
 * {@code attachments/<jobId>/<send>/raw-<filename>}, where {@code <send>} is new for every send. So a
 * second send under a job id never overwrites the objects of the first (which may still be waiting
 * for a retry), and its queue message differs from the first's, so the service tells a reused job id
 * from a duplicate delivery (README: Claim). Only the inline ones are read here; uploads happen once
 * the job is known to fit in a queue message.
 */
final class JobAssembler {

    static final String KEY_PREFIX = "attachments/";
    private static final int MAX_KEY_FILENAME_CHARS = 200;

    /** The job and what must be in S3 before it is enqueued. */
    record Assembly(SendJob job, List<Upload> uploads) {
    }

    record Upload(S3Location location, Part part) {
    }

    private final long inlineLimitBytes;
    private final Supplier<String> uploadBucket;

    /** @param uploadBucket asked only when something must be uploaded (it may be unset otherwise) */
    JobAssembler(long inlineLimitBytes, Supplier<String> uploadBucket) {
        this.inlineLimitBytes = inlineLimitBytes;
        this.uploadBucket = uploadBucket;
    }

    Assembly assemble(Email email, String jobId) {
        String send = UUID.randomUUID().toString();
        List<Upload> uploads = new ArrayList<>();
        List<Attachment> attachments = new ArrayList<>();
        long inlineBytes = 0;
        int number = 0;
        for (Part part : email.parts()) {
            number++;
            long length = length(part);
            if (inlineBytes + length <= inlineLimitBytes) {
                inlineBytes += length;
                attachments.add(attachment(part, base64(part, length), null));
            } else {
                Upload upload = new Upload(location(jobId, send, number + "-", part), part);
                uploads.add(upload);
                attachments.add(attachment(part, null, upload.location()));
            }
        }
        SendJob.RawSource raw = null;
        if (email.rawPart() != null) {
            Upload upload = new Upload(location(jobId, send, "raw-", email.rawPart()), email.rawPart());
            uploads.add(upload);
            raw = new SendJob.RawSource(upload.location());
        }
        SendJob job = new SendJob(SendJob.VERSION, jobId, email.fromAddress(), email.envelopeFromAddress(), email.replyToAddresses(),
                email.toAddresses(), email.ccAddresses(), email.bccAddresses(), email.subjectLine(), email.textBody(),
                email.htmlBody(), email.headerFields(), email.unsubscribeField(), attachments, raw, email.tagValues(), email.expiry());
        return new Assembly(job, List.copyOf(uploads));
    }

    private static Attachment attachment(Part part, String content, S3Location s3) {
        return new Attachment(part.filename(), part.contentType(), part.disposition(), part.contentId(), content, s3);
    }

    private S3Location location(String jobId, String send, String prefix, Part part) {
        return new S3Location(uploadBucket.get(),
                KEY_PREFIX + keySegment(jobId) + "/" + send + "/" + prefix + keySegment(part.filename()));
    }

    /**
     * Job ids may hold {@code :} and {@code /}, file names anything: keep keys to safe characters
     * ({@link S3Location#keySafe}), one segment each, never {@code .} or {@code ..} (the intake rejects
     * path tricks).
     */
    static String keySegment(String value) {
        String safe = S3Location.keySafe(value);
        if (safe.length() > MAX_KEY_FILENAME_CHARS) {
            safe = safe.substring(safe.length() - MAX_KEY_FILENAME_CHARS);
        }
        return safe.matches("\\.*") ? "_" + safe : safe;
    }

    private static long length(Part part) {
        try {
            return part.source().length();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + part.filename() + ": " + e.getMessage(), e);
        }
    }

    private static String base64(Part part, long length) {
        try (InputStream in = part.source().open()) {
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length < length || in.read() != -1) {
                throw new IOException("it does not hold the " + length + " bytes declared");
            }
            return Base64.getEncoder().encodeToString(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + part.filename() + ": " + e.getMessage(), e);
        }
    }
}
