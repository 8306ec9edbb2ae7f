package dev.mailroom.observe;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch metrics in Embedded Metric Format: a JSON log line that CloudWatch turns into
 * metrics, with no API call on the hot path
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
public final class Metrics {

    public static final String NAMESPACE = "Mailroom";

    private final JsonLines out;
    private final Clock clock;

    public Metrics(JsonLines out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** One job's counts, emitted as one EMF line. */
    public record JobCounts(int delivered, int deferred, int failed, int rejected, int deadLettered, long latencyMillis) {

        /** A job rejected: counted once, with no recipient transition and no delivery time. */
        public static JobCounts rejection() {
            return new JobCounts(0, 0, 0, 1, 0, 0);
        }

        /** The recipient transitions one attempt recorded, whether it dead-lettered the job, and how long it took. */
        public static JobCounts attempt(int delivered, int deferred, int failed, boolean deadLettered,
                                        long latencyMillis) {
            return new JobCounts(delivered, deferred, failed, 0, deadLettered ? 1 : 0, latencyMillis);
        }
    }

    public void emit(JobCounts counts) {
        Map<String, Object> line = new LinkedHashMap<>();
        List<Map<String, String>> definitions = new ArrayList<>();
        addCount(line, definitions, "Delivered", counts.delivered());
        addCount(line, definitions, "Deferred", counts.deferred());
        addCount(line, definitions, "Failed", counts.failed());
        addCount(line, definitions, "Rejected", counts.rejected());
        addCount(line, definitions, "DeadLettered", counts.deadLettered());
        definitions.add(Map.of("Name", "DeliveryLatency", "Unit", "Milliseconds"));
        line.put("DeliveryLatency", counts.latencyMillis());
        write(line, definitions);
    }

    /**
     * One message sent without a DKIM signature (its From domain has no key, and unsigned mail is
     * allowed): a count to alarm on, as receivers junk such mail.
     */
    public void unsignedMessage() {
        Map<String, Object> line = new LinkedHashMap<>();
        List<Map<String, String>> definitions = new ArrayList<>();
        addCount(line, definitions, "Unsigned", 1);
        write(line, definitions);
    }

    /** One EMF line: the values, and the metadata that makes CloudWatch read them as metrics. */
    private void write(Map<String, Object> line, List<Map<String, String>> definitions) {
        line.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", List.of(List.of()),
                        "Metrics", definitions))));
        out.write(line);
    }

    private static void addCount(Map<String, Object> line, List<Map<String, String>> definitions, String name, int value) {
        definitions.add(Map.of("Name", name, "Unit", "Count"));
        line.put(name, value);
    }
}
