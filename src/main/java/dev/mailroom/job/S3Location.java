package dev.mailroom.job;

import java.util.Objects;
import java.util.regex.Pattern;

/** An object in S3: where a large attachment or a raw message lives. */
public record S3Location(String bucket, String key) {

    private static final Pattern NOT_KEY_SAFE = Pattern.compile("[^A-Za-z0-9._@+=-]");

    public S3Location {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
    }

    /**
     * A job id or file name as a part of the keys Mailroom makes (the dead-letter archive's, the
     * client's uploads): every character but {@code A-Za-z0-9._@+=-} becomes {@code _}, so that a
     * {@code /} never adds a level and nothing needs escaping.
     */
    public static String keySafe(String value) {
        return NOT_KEY_SAFE.matcher(value).replaceAll("_");
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
