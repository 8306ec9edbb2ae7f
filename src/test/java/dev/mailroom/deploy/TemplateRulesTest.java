package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The template's Rules refuse, at deploy time and with the reason, the parameter combinations that
 * could never deliver; every deployable shape passes them.
 */
class TemplateRulesTest {

    @Test
    void everyDeployableShapeShouldPassTheTemplatesRules() {
        SCENARIOS.forEach((name, parameters) ->
                assertThat(SamTemplate.load(parameters).brokenRules()).as(name).isEmpty());
    }

    @Test
    void mxModeWithoutAVpcShouldBeRefusedAtDeployTimeWithTheReason() {
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com"));

        // Lambda blocks port 25 outside a VPC: every MX connection would time out, every job expire.
        assertThat(template.brokenRules()).singleElement().asString()
                .startsWith("MxModeNeedsAVpc").contains("port 25").contains("DeliveryMode relay");
    }

    @Test
    void relayModeWithoutARelayHostShouldBeRefusedAtDeployTime() {
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "DeliveryMode", "relay"));

        assertThat(template.brokenRules()).singleElement().asString().startsWith("RelayModeNeedsARelayHost");
    }
}
