package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static dev.mailroom.deploy.SamTemplate.SCENARIO_NAMES;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.config.MailroomConfig;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The environment template.yaml gives each function is the one MailroomConfig reads: every required
 * variable, no unknown one, and values that pass its cold-start checks.
 */
class FunctionEnvironmentTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyFunctionShouldSetTheRequiredVariablesAndOnlyKnownOnes(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        for (String function : template.functions()) {
            Map<String, String> env = template.environment(function);

            assertThat(env).as("%s (%s) lacks required variables", function, scenario)
                    .containsKeys(MailroomConfig.REQUIRED_VARIABLES.toArray(String[]::new));
            assertThat(env.keySet().stream().filter(name -> name.startsWith("MAILROOM_")))
                    .as("%s (%s) sets variables MailroomConfig never reads", function, scenario)
                    .isSubsetOf(MailroomConfig.KNOWN_VARIABLES);
            assertThat(env.keySet()).as("%s (%s) sets variables nobody reads", function, scenario)
                    .allMatch(name -> name.startsWith("MAILROOM_") || name.equals("JAVA_TOOL_OPTIONS"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(SCENARIO_NAMES)
    void everyFunctionsEnvironmentShouldPassMailroomConfigsColdStartChecks(String scenario) {
        SamTemplate template = SamTemplate.load(SCENARIOS.get(scenario));
        for (String function : template.functions()) {
            MailroomConfig config = template.config(function);

            assertThat(config.archiveBucket()).as("%s (%s): archived payloads must not sit in a bucket jobs may "
                    + "attach from", function, scenario).isNotIn(config.attachmentBuckets());
        }
    }
}
