package dev.mailroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unsubscribe endpoint's configuration: its own few variables, none of the send role's. */
class UnsubscribeConfigTest {

    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mailroom-keys-AbCdEf";

    @Test
    void theTableAndTheKeySecretShouldBeAllItNeeds() {
        UnsubscribeConfig config = UnsubscribeConfig.from(Map.of("MAILROOM_SUPPRESSION_TABLE", "suppression",
                "MAILROOM_KEYS_SECRET_ARN", ARN));

        assertThat(config.suppressionTable()).isEqualTo("suppression");
        assertThat(config.keys()).isEqualTo(new KeySource.Secret(ARN));
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.endpoints().any()).isFalse();
    }

    @Test
    void aMissingTableShouldStopTheStartNamingIt() {
        assertThatThrownBy(() -> UnsubscribeConfig.from(Map.of("MAILROOM_KEYS_SECRET_ARN", ARN)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("MAILROOM_SUPPRESSION_TABLE: is required");
    }

    @Test
    void noKeysOrTwoSourcesShouldStopTheStartNamingTheVariables() {
        assertThatThrownBy(() -> UnsubscribeConfig.from(Map.of("MAILROOM_SUPPRESSION_TABLE", "s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILROOM_KEYS_SECRET_ARN")
                .hasMessageContaining("unsubscribe keys");
        assertThatThrownBy(() -> UnsubscribeConfig.from(Map.of("MAILROOM_SUPPRESSION_TABLE", "s",
                "MAILROOM_KEYS_SECRET_ARN", ARN, "MAILROOM_KEYS", "{}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set one of these");
    }
}
