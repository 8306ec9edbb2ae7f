package dev.mailroom.inbound;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** Inbound mail in S3: one GetObject per message (s3:GetObject on the receipt rule's bucket and prefix). */
public final class S3InboundMail implements InboundMail {

    private final S3Client s3;

    public S3InboundMail(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public byte[] read(String bucket, String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (SdkException e) {
            throw new InboundMailException(bucket, key, e);
        }
    }
}
