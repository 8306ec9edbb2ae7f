package dev.mailroom.client;

import dev.mailroom.retry.ArchiveLayout;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads the dead-letter archive that the service writes, by the layout it writes by ({@link ArchiveLayout}). */
final class DeadLetterArchive {

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    DeadLetterArchive(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
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
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(layout.prefix())).contents().stream()
                .map(object -> new Entry(object.key(), archivedAt(object)))
                .sorted(Comparator.comparing(Entry::archivedAt).reversed())
                .limit(max)
                .map(entry -> describe(entry.key(), entry.archivedAt()))
                .toList();
    }

    private DeadLetter describe(String key, Instant archivedAt) {
        Map<String, String> metadata = s3.headObject(b -> b.bucket(bucket).key(key)).metadata();
        return new DeadLetter(layout.jobId(key, metadata), key, archivedAt, layout.reason(metadata));
    }

    /** The key's millisecond when it has one; else S3's LastModified, to the second. */
    private Instant archivedAt(S3Object object) {
        return layout.archivedAt(object.key()).orElse(object.lastModified());
    }
}
