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

    private static final String KEYS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mailroom-keys-AbCdEf";

    @Test
    void everyDeployableShapeShouldPassTheTemplatesRules() {
        SCENARIOS.forEach((name, parameters) ->
                assertThat(SamTemplate.load(parameters).brokenRules()).as(name).isEmpty());
    }

    @Test
    void mxModeWithoutAVpcShouldBeRefusedAtDeployTimeWithTheReason() {
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "KeysSecretArn", KEYS));

        // Lambda blocks port 25 outside a VPC: every MX connection would time out, every job expire.
        assertThat(template.brokenRules()).singleElement().asString()
                .startsWith("MxModeNeedsAVpc").contains("port 25").contains("DeliveryMode relay");
    }

    @Test
    void relayModeWithoutARelayHostShouldBeRefusedAtDeployTime() {
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "DeliveryMode", "relay", "KeysSecretArn", KEYS));

        assertThat(template.brokenRules()).singleElement().asString().startsWith("RelayModeNeedsARelayHost");
    }

    @Test
    void rejectingUnsignedMailWithoutKeysShouldBeRefusedAtDeployTime() {
        // Given: the default DkimMissingKey (reject) and no key secret: every job would be rejected
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "DeliveryMode", "relay", "RelayHost", "email-smtp.us-east-1.amazonaws.com"));

        assertThat(template.brokenRules()).singleElement().asString()
                .startsWith("RejectingUnsignedMailNeedsKeys").contains("DkimMissingKey unsigned");
    }

    @Test
    void aBounceDomainWithoutKeysShouldBeRefusedAtDeployTime() {
        // Given: VERP asked for, but no key document to sign the return paths with
        SamTemplate template = SamTemplate.load(Map.of("AllowedSenderDomains", "example.com", "HeloName", "mail.example.com",
                "DeliveryMode", "relay", "RelayHost", "email-smtp.us-east-1.amazonaws.com", "DkimMissingKey", "unsigned",
                "BounceDomain", "bounces.example.com"));

        assertThat(template.brokenRules()).singleElement().asString().startsWith("BounceDomainNeedsKeys");
    }

    @Test
    void noBounceDomainShouldDeployNoBounceFunction() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("relay with a secret"));

        assertThat(template.functions()).doesNotContain(SamTemplate.Lambda.BOUNCE.logicalId);
        assertThat(template.environment(SamTemplate.Lambda.SEND.logicalId)).doesNotContainKey("MAILROOM_BOUNCE_DOMAIN");
    }
}
