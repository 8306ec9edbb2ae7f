package dev.mailroom.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the local stack takes from the environment, and what it tells the user about it. */
class StackSettingsTest {

    private static final Map<String, String> RESOURCES = Map.of("MAILROOM_QUEUE_URL", "http://127.0.0.1:1/q",
            "MAILROOM_TABLE", "mailroom-ledger");
    private static final Map<String, String> DEFAULTS = Map.of("MAILROOM_MAX_ATTEMPTS", "3",
            "MAILROOM_ALLOWED_SENDER_DOMAINS", "example.com");

    @Test
    void configurationShouldLetTheEnvironmentOverrideDefaultsButNotTheStacksOwnResources() {
        // Given: what an earlier --serve printed for export, and a setting of the user's own
        Map<String, String> environment = Map.of("MAILROOM_QUEUE_URL", "http://127.0.0.1:9/old-queue",
                "MAILROOM_MAX_ATTEMPTS", "5", "HOME", "/root");

        // When
        StackSettings settings = StackSettings.from(environment);
        Map<String, String> configuration = settings.configuration(RESOURCES, DEFAULTS);

        // Then
        assertThat(configuration).containsEntry("MAILROOM_QUEUE_URL", "http://127.0.0.1:1/q")
                .containsEntry("MAILROOM_MAX_ATTEMPTS", "5").doesNotContainKey("HOME");
        assertThat(settings.notes(configuration)).containsExactly(
                "From the environment: {MAILROOM_MAX_ATTEMPTS=5}",
                "Ignored (the stack makes its own queues, table, buckets and endpoints): MAILROOM_QUEUE_URL");
    }

    @Test
    void notesShouldWarnThatARealDnsServerTakesTheDemoDomainsAwayFromTheCatcher() {
        StackSettings settings = StackSettings.from(Map.of("MAILROOM_DNS_SERVERS", "192.0.2.53"));

        List<String> notes = settings.notes(settings.configuration(RESOURCES, DEFAULTS));

        assertThat(notes).anySatisfy(note -> assertThat(note).startsWith(
                "Note: MAILROOM_DNS_SERVERS=192.0.2.53 resolves the recipients, not the built-in DNS")
                .contains("example.org, example.net").contains("dead-letter after 3 attempts"));
    }

    @Test
    void notesShouldNeverShowAPassword() {
        StackSettings settings = StackSettings.from(Map.of("MAILROOM_RELAY_PASSWORD", "s3cr3t"));

        assertThat(settings.notes(settings.configuration(RESOURCES, DEFAULTS)))
                .containsExactly("From the environment: {MAILROOM_RELAY_PASSWORD=(set)}");
    }

    @Test
    void fromShouldAcceptTheLaunchersOwnVariables() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("MAILROOM_JAVA_OPTS", "-Xmx256m");
        environment.put("MAILROOM_CLASSPATH", "/opt/mailroom/lib/*");

        StackSettings settings = StackSettings.from(environment);

        assertThat(settings.configuration(RESOURCES, DEFAULTS)).doesNotContainKeys("MAILROOM_JAVA_OPTS",
                "MAILROOM_CLASSPATH");
    }

    @Test
    void theServedAwsCliExampleShouldBeAJobMailroomAccepts() {
        JobIntake intake = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")), Set.of());

        IntakeResult result = intake.accept(LocalStackMain.exampleJob("hello@example.com"), "message-1");

        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
    }
}
