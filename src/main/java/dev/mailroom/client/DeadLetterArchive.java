package dev.mailroom.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads the dead-letter archive that {@code SqsS3DeadLetters} writes: one object per dead-lettering at
 * {@code <prefix><jobId>/<epochMillis>.json}, with the job id and reason in user metadata.
 */
final class DeadLetterArchive {

    static final String REASON_METADATA = "mailroom-reason";
    static final String JOB_ID_METADATA = "mailroom-job-id";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    DeadLetterArchive(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * Lists the whole prefix (S3 lists in key order only, one request per 1,000 objects), then reads the
     * metadata of the newest {@code max} with one HEAD each.
     */
    List<DeadLetter> newest(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        record Entry(String key, Instant archivedAt) {
        }
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(object -> new Entry(object.key(), archivedAt(object)))
                .sorted(Comparator.comparing(Entry::archivedAt).reversed())
                .limit(max)
                .map(entry -> describe(entry.key(), entry.archivedAt()))
                .toList();
    }

    private DeadLetter describe(String key, Instant archivedAt) {
        Map<String, String> metadata = s3.headObject(b -> b.bucket(bucket).key(key)).metadata();
        String stored = metadata.get(JOB_ID_METADATA);
        String jobId = stored != null ? URLDecoder.decode(stored, StandardCharsets.UTF_8) : jobIdOf(key);
        return new DeadLetter(jobId, key, archivedAt, metadata.get(REASON_METADATA));
    }

    /** The archive names objects by the epoch milliseconds of archiving; S3's LastModified has only seconds. */
    private Instant archivedAt(S3Object object) {
        String name = object.key().substring(object.key().lastIndexOf('/') + 1);
        if (name.matches("\\d{1,18}\\.json")) {
            return Instant.ofEpochMilli(Long.parseLong(name.substring(0, name.length() - ".json".length())));
        }
        return object.lastModified();
    }

    private String jobIdOf(String key) {
        String rest = key.substring(prefix.length());
        int slash = rest.lastIndexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }
}
