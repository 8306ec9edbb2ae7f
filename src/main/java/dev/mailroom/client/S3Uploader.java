package dev.mailroom.client;

import dev.mailroom.job.S3Location;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads a part to S3 as a stream, never holding a large file whole: one PutObject up to
 * {@value #MULTIPART_THRESHOLD_BYTES} bytes, a multipart upload of {@value #PART_BYTES}-byte parts
 * above (one part in memory at a time), aborted if anything fails so no orphan parts are billed.
 */
final class S3Uploader {

    static final long MULTIPART_THRESHOLD_BYTES = 16L * 1024 * 1024;
    /** S3 wants at least 5 MiB per part but the last, and at most 10,000 parts: 8 MiB parts reach 78 GiB. */
    static final int PART_BYTES = 8 * 1024 * 1024;

    private final S3Client s3;

    S3Uploader(S3Client s3) {
        this.s3 = s3;
    }

    void upload(S3Location target, Part part) {
        try {
            long length = part.source().length();
            if (length <= MULTIPART_THRESHOLD_BYTES) {
                putObject(target, part, length);
            } else {
                multipartUpload(target, part, length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + part.filename() + ": " + e.getMessage(), e);
        }
    }

    private void putObject(S3Location target, Part part, long length) {
        // A content provider rather than a stream: the SDK reopens a file for a retry.
        RequestBody body = RequestBody.fromContentProvider(() -> {
            try {
                return new ExactLengthInputStream(part.source().open(), length, part.filename());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + part.filename() + ": " + e.getMessage(), e);
            }
        }, length, part.contentType());
        s3.putObject(b -> b.bucket(target.bucket()).key(target.key()).contentType(part.contentType()), body);
    }

    private void multipartUpload(S3Location target, Part part, long length) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(target.bucket()).key(target.key())
                .contentType(part.contentType())).uploadId();
        try (InputStream in = part.source().open()) {
            List<CompletedPart> parts = uploadParts(target, uploadId, in, length, part.filename());
            s3.completeMultipartUpload(b -> b.bucket(target.bucket()).key(target.key()).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            abort(target, uploadId, e);
            throw e;
        }
    }

    private List<CompletedPart> uploadParts(S3Location target, String uploadId, InputStream in, long length,
                                            String filename) throws IOException {
        byte[] buffer = new byte[PART_BYTES];
        List<CompletedPart> parts = new ArrayList<>();
        long remaining = length;
        for (int number = 1; remaining > 0; number++) {
            int size = (int) Math.min(PART_BYTES, remaining);
            int read = in.readNBytes(buffer, 0, size);
            if (read < size) {
                throw new IOException("the stream of " + filename + " ended after " + (length - remaining + read)
                        + " of " + length + " bytes");
            }
            int partNumber = number;
            String etag = s3.uploadPart(b -> b.bucket(target.bucket()).key(target.key()).uploadId(uploadId)
                            .partNumber(partNumber).contentLength((long) size),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, size), size,
                            "application/octet-stream")).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            remaining -= size;
        }
        if (in.read() != -1) {
            throw new IOException("the stream of " + filename + " holds more than the " + length + " bytes declared");
        }
        return parts;
    }

    private void abort(S3Location target, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(target.bucket()).key(target.key()).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }
}
