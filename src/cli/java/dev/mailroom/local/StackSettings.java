package dev.mailroom.local;

import dev.mailroom.config.ConfigException;
import dev.mailroom.config.MailroomConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the local stack takes from the environment: every variable of Mailroom's configuration, over
 * the stack's defaults for a demo, except those naming the stack's own resources (its queues, table,
 * buckets and endpoints), which it makes itself and which are ignored with a note. A {@code MAILROOM_*}
 * variable the configuration does not know is refused by name before anything starts.
 */
final class StackSettings {

    /** The stack makes these itself; values left in a shell by an earlier {@code --serve} must not win. */
    static final Set<String> RESOURCE_VARIABLES = Set.of("MAILROOM_QUEUE_URL", "MAILROOM_DLQ_URL", "MAILROOM_TABLE",
            "MAILROOM_SUPPRESSION_TABLE", "MAILROOM_EVENTS_QUEUE_URL",
            "MAILROOM_ATTACHMENT_BUCKETS", "MAILROOM_ARCHIVE_BUCKET", "MAILROOM_AWS_ENDPOINT", "MAILROOM_SQS_ENDPOINT",
            "MAILROOM_S3_ENDPOINT", "MAILROOM_DYNAMODB_ENDPOINT");
    /** Read by bin/mailroom, not by Mailroom's configuration. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("MAILROOM_JAVA_OPTS", "MAILROOM_CLASSPATH");

    private final Map<String, String> overrides;
    private final List<String> ignored;

    private StackSettings(Map<String, String> overrides, List<String> ignored) {
        this.overrides = overrides;
        this.ignored = ignored;
    }

    /** @throws ConfigException naming a {@code MAILROOM_*} variable that the configuration does not know */
    static StackSettings from(Map<String, String> environment) {
        Map<String, String> overrides = new TreeMap<>();
        List<String> ignored = new ArrayList<>();
        new TreeMap<>(environment).forEach((name, value) -> {
            if (RESOURCE_VARIABLES.contains(name)) {
                ignored.add(name);
            } else if (MailroomConfig.KNOWN_VARIABLES.contains(name)) {
                overrides.put(name, value);
            } else if (name.startsWith("MAILROOM_") && !LAUNCHER_VARIABLES.contains(name)) {
                throw new ConfigException(name, "is not a Mailroom configuration variable (see the README's "
                        + "Configuration table)");
            }
        });
        return new StackSettings(overrides, ignored);
    }

    /** The stack's resources, then its defaults, then the environment's overrides of those defaults. */
    Map<String, String> configuration(Map<String, String> resources, Map<String, String> defaults) {
        Map<String, String> configuration = new LinkedHashMap<>(resources);
        configuration.putAll(defaults);
        configuration.putAll(overrides);
        return configuration;
    }

    /** What a user should know before the jobs run, given the effective configuration. */
    List<String> notes(Map<String, String> configuration) {
        List<String> notes = new ArrayList<>();
        if (!overrides.isEmpty()) {
            Map<String, String> shown = new LinkedHashMap<>();
            overrides.forEach((name, value) -> shown.put(name, isSecret(name) ? "(set)" : value));
            notes.add("From the environment: " + shown);
        }
        if (!ignored.isEmpty()) {
            notes.add("Ignored (the stack makes its own queues, table, buckets and endpoints): "
                    + String.join(", ", ignored));
        }
        if (overrides.containsKey("MAILROOM_DNS_SERVERS")) {
            notes.add("Note: MAILROOM_DNS_SERVERS=" + overrides.get("MAILROOM_DNS_SERVERS") + " resolves the recipients, "
                    + "not the built-in DNS: the demo domains (" + String.join(", ", LocalStackMain.DEMO_DOMAINS)
                    + ") do not lead to the catcher there, so the sample jobs go wherever that server says, or defer "
                    + "(4.4.3) and dead-letter after " + configuration.get("MAILROOM_MAX_ATTEMPTS")
                    + " attempts when it cannot answer.");
        }
        return notes;
    }

    /** A value never printed. */
    static boolean isSecret(String name) {
        return name.contains("PASSWORD") || name.equals("MAILROOM_KEYS");
    }
}
