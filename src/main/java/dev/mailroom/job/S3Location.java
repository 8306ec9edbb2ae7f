package dev.mailroom.job;

import java.util.Objects;

/** An object in S3: where a large attachment or a raw message lives. */
public record S3Location(String bucket, String key) {

    public S3Location {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
