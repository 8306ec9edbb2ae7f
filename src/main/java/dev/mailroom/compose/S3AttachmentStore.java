package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@link AttachmentStore} on Amazon S3 (or anything that speaks its API). */
public final class S3AttachmentStore implements AttachmentStore {

    private final S3Client s3;

    public S3AttachmentStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public long size(S3Location location) {
        try {
            return s3.headObject(HeadObjectRequest.builder().bucket(location.bucket()).key(location.key()).build())
                    .contentLength();
        } catch (S3Exception e) {
            throw classify(location, e);
        } catch (SdkException e) {
            throw new AttachmentException.Unavailable(location, e);
        }
    }

    @Override
    public InputStream open(S3Location location) throws IOException {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build());
        } catch (SdkException e) {
            throw new IOException("cannot read " + location, e);
        }
    }

    // HEAD answers a missing key with 404, or with 403 when the caller may not list the bucket.
    private static AttachmentException classify(S3Location location, S3Exception e) {
        int status = e.statusCode();
        if (status == 404 || status == 403) {
            return new AttachmentException.NotFound(location, e);
        }
        return new AttachmentException.Unavailable(location, e);
    }
}
