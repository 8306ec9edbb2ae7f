package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@link AttachmentStore} on Amazon S3 (or anything that speaks its API). */
public final class S3AttachmentStore implements AttachmentStore {

    private final S3Client s3;

    public S3AttachmentStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public long size(S3Location location) {
        return head(location).contentLength();
    }

    @Override
    public InputStream open(S3Location location) throws IOException {
        return get(location, null);
    }

    /** Every read after the first of an object is conditioned on its first ETag ({@code If-Match}). */
    @Override
    public AttachmentStore pinned() {
        return new Pinned();
    }

    private HeadObjectResponse head(S3Location location) {
        try {
            return s3.headObject(HeadObjectRequest.builder().bucket(location.bucket()).key(location.key()).build());
        } catch (S3Exception e) {
            throw classify(location, e);
        } catch (SdkException e) {
            throw new AttachmentException.Unavailable(location, e);
        }
    }

    private ResponseInputStream<GetObjectResponse> get(S3Location location, String ifMatch) throws IOException {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(location.bucket()).key(location.key())
                    .ifMatch(ifMatch).build());
        } catch (SdkException e) {
            // A 412 names an object overwritten since its first read: the attempt is retried afresh.
            throw new IOException("cannot read " + location, e);
        }
    }

    /** The objects of one composition, each as its first read found it. */
    private final class Pinned implements AttachmentStore {

        private final Map<S3Location, String> etags = new ConcurrentHashMap<>();

        @Override
        public long size(S3Location location) {
            HeadObjectResponse head = head(location);
            String first = etags.putIfAbsent(location, head.eTag());
            if (first != null && !first.equals(head.eTag())) {
                throw new AttachmentException.Unavailable(location,
                        new IOException("overwritten since it was first read"));
            }
            return head.contentLength();
        }

        @Override
        public InputStream open(S3Location location) throws IOException {
            ResponseInputStream<GetObjectResponse> in = get(location, etags.get(location));
            etags.putIfAbsent(location, in.response().eTag());
            return in;
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
