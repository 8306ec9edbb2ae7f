package dev.mailroom.retry;

import dev.mailroom.job.S3Location;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the dead-letter archive names and labels what it keeps: the one definition that the service
 * writes by ({@link SqsS3DeadLetters}) and the client reads by (its dead-letter listing).
 *
 * <ul>
 *   <li>one object per dead-lettering, at {@code <prefix><jobId>/<epochMillis>.json}: the job id made
 *       {@linkplain S3Location#keySafe key-safe}, the time in milliseconds (S3's LastModified has
 *       only seconds), so a job dead-lettered twice keeps both payloads;</li>
 *   <li>user metadata {@value #JOB_ID_METADATA}: the job id itself, URL-encoded (the key keeps only
 *       safe characters);</li>
 *   <li>user metadata {@value #REASON_METADATA}: why, as printable ASCII (S3 metadata travels in HTTP
 *       headers), other characters as {@code ?}.</li>
 * </ul>
 *
 * @param prefix the key prefix of every archived payload, {@value #DEFAULT_PREFIX} unless configured
 */
public record ArchiveLayout(String prefix) {

    public static final String DEFAULT_PREFIX = "dead-letters/";
    public static final String JOB_ID_METADATA = "mailroom-job-id";
    public static final String REASON_METADATA = "mailroom-reason";

    private static final Pattern OBJECT_NAME = Pattern.compile("(\\d{1,18})\\.json");

    public ArchiveLayout {
        Objects.requireNonNull(prefix, "prefix");
    }

    /** The key of a payload of {@code jobId} archived at {@code archivedAt}. */
    public String key(String jobId, Instant archivedAt) {
        return prefix + S3Location.keySafe(jobId) + "/" + archivedAt.toEpochMilli() + ".json";
    }

    /** The user metadata of that object. */
    public Map<String, String> metadata(String jobId, String reason) {
        return Map.of(JOB_ID_METADATA, URLEncoder.encode(jobId, StandardCharsets.UTF_8),
                REASON_METADATA, reason.replaceAll("[^\\x20-\\x7E]", "?"));
    }

    /** When the object at {@code key} was archived, as its name says; empty for a name of another form. */
    public Optional<Instant> archivedAt(String key) {
        Matcher name = OBJECT_NAME.matcher(key.substring(key.lastIndexOf('/') + 1));
        return name.matches() ? Optional.of(Instant.ofEpochMilli(Long.parseLong(name.group(1)))) : Optional.empty();
    }

    /**
     * The job id of the object at {@code key} under this prefix: from its metadata, else (an object
     * archived without it) the key's job part, key-safe.
     */
    public String jobId(String key, Map<String, String> metadata) {
        String stored = metadata.get(JOB_ID_METADATA);
        if (stored != null) {
            return URLDecoder.decode(stored, StandardCharsets.UTF_8);
        }
        String rest = key.substring(prefix.length());
        int slash = rest.lastIndexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** @return the reason in the object's metadata, or null */
    public String reason(Map<String, String> metadata) {
        return metadata.get(REASON_METADATA);
    }
}
