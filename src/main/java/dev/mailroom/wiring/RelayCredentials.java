package dev.mailroom.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.config.ConfigException;
import dev.mailroom.deliver.Relay;
import dev.mailroom.deliver.SmtpSettings;
import java.io.IOException;

/**
 * The relay's login, in AWS: a Secrets Manager secret {@code {"username": ..., "password": ...}}
 * named by MAILROOM_RELAY_SECRET_ARN, read once when the send role is wired. The values never
 * reach a log line or an exception message.
 */
final class RelayCredentials {

    private RelayCredentials() {
    }

    /** @return {@code smtp} with the secret's login on its relay; {@code smtp} itself when there is no secret */
    static SmtpSettings apply(SmtpSettings smtp, String secretArn, AwsClients aws) {
        if (secretArn == null) {
            return smtp;
        }
        String secret;
        try (var secrets = aws.secretsManager()) {
            secret = secrets.getSecretValue(b -> b.secretId(secretArn)).secretString();
        }
        try {
            JsonNode json = new ObjectMapper().readTree(secret);
            if (!json.hasNonNull("username") || !json.hasNonNull("password")) {
                throw new ConfigException("MAILROOM_RELAY_SECRET_ARN", "the secret needs username and password fields");
            }
            Relay relay = smtp.relay();
            return smtp.withRelay(new Relay(relay.host(), relay.port(), relay.implicitTls(),
                    json.get("username").asText(), json.get("password").asText()));
        } catch (IOException e) {
            throw new ConfigException("MAILROOM_RELAY_SECRET_ARN", "the secret is not JSON");
        }
    }
}
