package dev.mailroom.wiring;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.ConfigException;
import dev.mailroom.config.UnsubscribeConfig;
import dev.mailroom.observe.JsonLines;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnsubscribeWiringTest {

    @Test
    void aKeyDocumentWithoutUnsubscribeKeysShouldStopTheStartNamingTheVariable() {
        UnsubscribeConfig config = UnsubscribeConfig.from(Map.of("MAILROOM_SUPPRESSION_TABLE", "s",
                "MAILROOM_KEYS", "{\"dkim\":[]}"));

        assertThatThrownBy(() -> new UnsubscribeWiring(config, AwsClients.create(config.endpoints(), config.region()),
                new JsonLines(line -> { }), Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_KEYS: the key document has no \"unsubscribe\" keys");
    }
}
