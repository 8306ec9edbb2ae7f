package dev.mailroom.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.aws.AwsEndpoints;
import dev.mailroom.config.ConfigException;
import dev.mailroom.config.KeySource;
import dev.mailroom.testing.TestKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key document, from each of its sources: a problem names the variable and the entry, never
 * key material; a secret is one GetSecretValue, answered here over the AWS JSON protocol by a small
 * HTTP endpoint in the test (no Secrets Manager emulator runs without Docker), so that the SDK's own
 * request and response handling is what reads it.
 */
class SendKeysTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aDocumentShouldGiveTheKeysOfEachDomainAndTheUnsubscribeKeys() {
        SendKeys keys = SendKeys.parse("MAILROOM_KEYS", TestKeys.document("example.com"), dir);

        assertThat(keys.dkim().forFrom("news.Example.COM")).extracting(k -> k.dnsName())
                .containsExactly("rsa-test._domainkey.example.com", "ed-test._domainkey.example.com");
        String token = keys.unsubscribe().orElseThrow().issue("job-1", "ann@example.org", "global");
        assertThat(keys.unsubscribe().orElseThrow().verify(token)).isPresent();
    }

    @Test
    void aKeyFileShouldBeReadRelativeToTheDocument() throws IOException {
        // Given: what `mailroom dkim --out` writes, named by a document beside it
        Files.writeString(dir.resolve("s1.example.com.pem"), pem("ed25519"));
        Path document = dir.resolve("keys.json");
        Files.writeString(document, "{\"dkim\":[{\"domain\":\"example.com\",\"selector\":\"s1\","
                + "\"privateKeyFile\":\"s1.example.com.pem\"}]}");

        // When
        SendKeys keys = SendKeys.load(new KeySource.File(document), null);

        // Then
        assertThat(keys.dkim().forFrom("example.com")).singleElement()
                .satisfies(k -> assertThat(k.dnsName()).isEqualTo("s1._domainkey.example.com"));
        assertThat(keys.unsubscribe()).isEmpty();
    }

    @Test
    void problemsShouldNameTheVariableAndTheEntryAndNeverShowAKey() {
        String rsa = pem("rsa");
        Map<String, String> documents = Map.of(
                "not json " + rsa, "MAILROOM_KEYS: not a JSON document (line 1)",
                "[]", "MAILROOM_KEYS: must be a JSON object with \"dkim\", \"unsubscribe\" and/or \"bounce\"",
                "{\"dkim\":[{\"domain\":\"example.com\",\"privateKey\":" + quoted(rsa) + "}]}",
                "MAILROOM_KEYS: dkim[0].selector: is required (a string)",
                "{\"dkim\":[{\"domain\":\"example.com\",\"selector\":\"s1\"}]}",
                "MAILROOM_KEYS: dkim[0]: give privateKey or privateKeyFile, one of them",
                "{\"dkim\":[{\"domain\":\"example.com\",\"selector\":\"s1\",\"privateKey\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"}]}",
                "MAILROOM_KEYS: dkim[0]: ",
                "{\"dkim\":[{\"domain\":\"example.com\",\"selector\":\"s1\",\"privateKey\":" + quoted(rsa) + "},"
                        + "{\"domain\":\"EXAMPLE.com\",\"selector\":\"s1\",\"privateKey\":" + quoted(rsa) + "}]}",
                "MAILROOM_KEYS: dkim: two keys for s1._domainkey.example.com",
                "{\"dkim\":[],\"unsubscribe\":{\"signingKey\":\"k2\",\"keys\":{\"k1\":\"" + "A".repeat(44) + "\"}}}",
                "MAILROOM_KEYS: unsubscribe: no unsubscribe key k2 to sign with",
                "{\"dkim\":[],\"unsubscribe\":{\"signingKey\":\"k1\",\"keys\":{\"k1\":\"c2hvcnQ=\"}}}",
                "MAILROOM_KEYS: unsubscribe: unsubscribe key k1 has 5 bytes",
                "{\"dkim\":[],\"extra\":1}", "MAILROOM_KEYS: extra: unknown field");
        documents.forEach((document, problem) -> assertThatThrownBy(() -> SendKeys.parse("MAILROOM_KEYS", document, dir))
                .as(problem).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("BEGIN", "MII")));
    }

    @Test
    void aSecretShouldBeReadWithOneGetSecretValueAndMayNotNameKeyFiles() throws IOException {
        // Given: an endpoint answering GetSecretValue with the document
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        String document = TestKeys.document("example.com");
        HttpServer server = secretsManager(requests, Map.of("arn:aws:secretsmanager:eu-west-1:1:secret:mailroom-keys",
                document, "arn:aws:secretsmanager:eu-west-1:1:secret:with-files",
                "{\"dkim\":[{\"domain\":\"example.com\",\"selector\":\"s1\",\"privateKeyFile\":\"/etc/passwd\"}]}"));
        try {
            AwsClients aws = AwsClients.create(new AwsEndpoints(null, null, null,
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort())), "eu-west-1");

            // When
            SendKeys keys = SendKeys.load(new KeySource.Secret("arn:aws:secretsmanager:eu-west-1:1:secret:mailroom-keys"), aws);

            // Then
            assertThat(keys.dkim().forFrom("example.com")).hasSize(2);
            assertThat(requests).singleElement().satisfies(r -> assertThat(r.path("SecretId").asText())
                    .isEqualTo("arn:aws:secretsmanager:eu-west-1:1:secret:mailroom-keys"));
            assertThatThrownBy(() -> SendKeys.load(
                    new KeySource.Secret("arn:aws:secretsmanager:eu-west-1:1:secret:with-files"), aws))
                    .hasMessage("MAILROOM_KEYS_SECRET_ARN: dkim[0].privateKeyFile: not in a secret; put the PEM in privateKey");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void toStringShouldNameTheKeysAndShowNoKeyMaterial() {
        SendKeys keys = SendKeys.parse("MAILROOM_KEYS", TestKeys.document("example.com"), dir);

        assertThat(keys.toString()).contains("rsa-test._domainkey.example.com", "t1").doesNotContain("MII", "BEGIN");
        assertThat(new KeySource.Inline(TestKeys.document("example.com")).toString()).doesNotContain("BEGIN");
    }

    private static String pem(String kind) {
        return kind.equals("rsa") ? TestKeys.rsa("example.com").privateKeyPem()
                : TestKeys.ed25519("example.com").privateKeyPem();
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Secrets Manager's GetSecretValue (AWS JSON 1.1): X-Amz-Target names the operation, the body the secret. */
    private static HttpServer secretsManager(List<JsonNode> requests, Map<String, String> secrets) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            byte[] body;
            int status;
            String secret = secrets.get(request.path("SecretId").asText());
            if ("secretsmanager.GetSecretValue".equals(exchange.getRequestHeaders().getFirst("X-Amz-Target"))
                    && secret != null) {
                requests.add(request);
                status = 200;
                body = JSON.writeValueAsBytes(Map.of("ARN", request.path("SecretId").asText(), "Name", "mailroom-keys",
                        "SecretString", secret, "VersionId", "v1", "VersionStages", List.of("AWSCURRENT")));
            } else {
                status = 400;
                body = "{\"__type\":\"ResourceNotFoundException\",\"message\":\"no such secret\"}"
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
