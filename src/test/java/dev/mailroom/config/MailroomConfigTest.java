package dev.mailroom.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.deliver.ConnectionReuse;
import dev.mailroom.deliver.TlsPolicy;
import dev.mailroom.testing.TestPki;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailroomConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/send");
        env.put("MAILROOM_DLQ_URL", "https://sqs.eu-west-1.amazonaws.com/1/send-dlq");
        env.put("MAILROOM_TABLE", "mailroom-ledger");
        env.put("MAILROOM_ATTACHMENT_BUCKETS", "attachments, more-attachments");
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", "Example.com");
        env.put("MAILROOM_HELO_NAME", "mail.example.com");
        env.put("MAILROOM_ARCHIVE_BUCKET", "dead-letter-archive");
        env.put("MAILROOM_KEYS_FILE", "/etc/mailroom/keys.json");
        return env;
    }

    @Test
    void fromShouldApplyMxModeDefaultsWhenOnlyTheRequiredVariablesAreSet() {
        MailroomConfig config = MailroomConfig.from(minimal());

        assertThat(config.smtp().relayMode()).isFalse();
        assertThat(config.smtp().port()).isEqualTo(25);
        assertThat(config.smtp().tlsPolicy()).isEqualTo(TlsPolicy.OPPORTUNISTIC);
        assertThat(config.attachmentBuckets()).containsExactly("attachments", "more-attachments");
        assertThat(config.archiveBucket()).isEqualTo("dead-letter-archive");
        assertThat(config.allowedSenderDomains()).containsExactly("example.com");
        assertThat(config.retry().maxAttempts()).isEqualTo(12);
        assertThat(config.endpoints().any()).isFalse();
    }

    @Test
    void keysShouldComeFromOneSourceAndAJobWithoutAKeyBeRejectedByDefault() {
        MailroomConfig defaults = MailroomConfig.from(minimal());
        assertThat(defaults.keys()).isEqualTo(new KeySource.File(Path.of("/etc/mailroom/keys.json")));
        assertThat(defaults.missingDkimKey()).isEqualTo(MailroomConfig.MissingDkimKey.REJECT);

        Map<String, String> secret = minimal();
        secret.remove("MAILROOM_KEYS_FILE");
        secret.put("MAILROOM_KEYS_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:keys");
        secret.put("MAILROOM_DKIM_MISSING_KEY", "Unsigned");
        MailroomConfig set = MailroomConfig.from(secret);
        assertThat(set.keys()).isEqualTo(new KeySource.Secret("arn:aws:secretsmanager:eu-west-1:1:secret:keys"));
        assertThat(set.missingDkimKey()).isEqualTo(MailroomConfig.MissingDkimKey.UNSIGNED);

        Map<String, String> unsignedWithoutKeys = minimal();
        unsignedWithoutKeys.remove("MAILROOM_KEYS_FILE");
        unsignedWithoutKeys.put("MAILROOM_DKIM_MISSING_KEY", "unsigned");
        assertThat(MailroomConfig.from(unsignedWithoutKeys).keys()).isInstanceOf(KeySource.None.class);
    }

    @Test
    void rejectingUnsignedMailWithoutAnyKeyShouldStopTheStartRatherThanRejectEveryJob() {
        Map<String, String> env = minimal();
        env.remove("MAILROOM_KEYS_FILE");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_DKIM_MISSING_KEY: is reject (the default), and no keys are set")
                .hasMessageContaining("MAILROOM_DKIM_MISSING_KEY=unsigned");
    }

    @Test
    void twoKeySourcesOrAnUnknownMissingKeyPolicyShouldFailNamingTheVariables() {
        Map<String, String> two = minimal();
        two.put("MAILROOM_KEYS", "{\"dkim\":[]}");
        assertThatThrownBy(() -> MailroomConfig.from(two)).isInstanceOf(ConfigException.class)
                .hasMessage("MAILROOM_KEYS_FILE, MAILROOM_KEYS: set one of these, not several");

        Map<String, String> policy = minimal();
        policy.put("MAILROOM_DKIM_MISSING_KEY", "send");
        assertThatThrownBy(() -> MailroomConfig.from(policy))
                .hasMessage("MAILROOM_DKIM_MISSING_KEY: must be one of [reject, unsigned], was 'send'");
    }

    @Test
    void toStringShouldNeverShowInlineKeys() {
        Map<String, String> env = minimal();
        env.remove("MAILROOM_KEYS_FILE");
        env.put("MAILROOM_KEYS", "{\"dkim\":[{\"privateKey\":\"-----BEGIN PRIVATE KEY-----\"}]}");
        assertThat(MailroomConfig.from(env).toString()).contains("keys=inline").doesNotContain("BEGIN");
    }

    @Test
    void connectionReuseAndParallelismShouldHaveDefaultsAndBeSettable() {
        MailroomConfig defaults = MailroomConfig.from(minimal());
        assertThat(defaults.smtp().connectionReuse()).isEqualTo(ConnectionReuse.DEFAULT);
        assertThat(defaults.parallelJobs()).isEqualTo(10);
        assertThat(defaults.smtp().maxParallelTransactions()).isEqualTo(16);

        Map<String, String> env = minimal();
        env.put("MAILROOM_CONNECTION_IDLE", "500ms");
        env.put("MAILROOM_PARALLEL_JOBS", "3");
        MailroomConfig set = MailroomConfig.from(env);
        assertThat(set.smtp().connectionReuse().idleLimit()).isEqualTo(Duration.ofMillis(500));
        assertThat(set.parallelJobs()).isEqualTo(3);

        env.put("MAILROOM_CONNECTION_REUSE", "false");
        assertThat(MailroomConfig.from(env).smtp().connectionReuse().enabled()).isFalse();
    }

    @Test
    void badConnectionReuseValuesShouldNameTheirVariable() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_CONNECTION_REUSE", "sometimes");
        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_CONNECTION_REUSE");

        env.remove("MAILROOM_CONNECTION_REUSE");
        env.put("MAILROOM_CONNECTION_IDLE", "0s");
        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_CONNECTION_IDLE");
    }

    @Test
    void theUnsubscribeUrlShouldSayWhereTheTokenGoes() {
        Map<String, String> env = minimal();
        assertThat(MailroomConfig.from(env).unsubscribeUrl()).isEmpty();

        env.put("MAILROOM_UNSUBSCRIBE_URL", "https://u.example.com/unsubscribe");
        assertThat(MailroomConfig.from(env).unsubscribeUrl()).contains("https://u.example.com/unsubscribe/{token}");
        env.put("MAILROOM_UNSUBSCRIBE_URL", "https://u.example.com/u?t={token}");
        assertThat(MailroomConfig.from(env).unsubscribeUrl()).contains("https://u.example.com/u?t={token}");
    }

    @Test
    void aBadUnsubscribeUrlShouldNameItsVariable() {
        for (String bad : new String[] {"http://u.example.com/u", "https://u.example.com/u?list=1", "not a url",
                "https://me:pw@u.example.com/", "https://u.example.com/" + "x".repeat(200)}) {
            Map<String, String> env = minimal();
            env.put("MAILROOM_UNSUBSCRIBE_URL", bad);

            assertThatThrownBy(() -> MailroomConfig.from(env)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("MAILROOM_UNSUBSCRIBE_URL");
        }
    }

    @Test
    void fromShouldNameTheMissingVariable() {
        Map<String, String> env = minimal();
        env.remove("MAILROOM_TABLE");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TABLE");
    }

    @Test
    void fromShouldRefuseAMalformedValueRatherThanFallBackToTheDefault() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_MAX_ATTEMPTS", "ten");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_MAX_ATTEMPTS").hasMessageContaining("'ten'");
    }

    @Test
    void fromShouldListTheAllowedChoicesForAnUnknownTlsPolicy() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_TLS", "sometimes");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TLS").hasMessageContaining("opportunistic");
    }

    @Test
    void fromShouldSelectRequiredInsecureTlsWhenUsersSetRequired() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_TLS", "Required");

        assertThat(MailroomConfig.from(env).smtp().tlsPolicy()).isEqualTo(TlsPolicy.REQUIRED_INSECURE);
    }

    @Test
    void fromShouldRefuseAnArchiveInAnAttachmentBucketWhereJobsCouldAttachIt() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_ARCHIVE_BUCKET", "attachments");

        assertThatThrownBy(() -> MailroomConfig.from(env)).hasMessageStartingWith("MAILROOM_ARCHIVE_BUCKET");
    }

    @Test
    void fromShouldRefuseAnEmptySenderAllowList() {
        Map<String, String> env = minimal();
        env.remove("MAILROOM_ALLOWED_SENDER_DOMAINS");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("open relay");
    }

    @Test
    void fromShouldReadDurationsInShortAndIsoForm() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_RETRY_INITIAL_DELAY", "90s");
        env.put("MAILROOM_RETRY_MAX_DELAY", "PT2H");
        env.put("MAILROOM_MAX_AGE", "5d");

        MailroomConfig config = MailroomConfig.from(env);

        assertThat(config.retry().initialDelay()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.retry().maxDelay()).isEqualTo(Duration.ofHours(2));
        assertThat(config.retry().maxAge()).isEqualTo(Duration.ofDays(5));
    }

    @Test
    void fromShouldRefuseAMaxAgeThatOutlivesTheQueueRetention() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_MAX_AGE", "15d");

        assertThatThrownBy(() -> MailroomConfig.from(env)).hasMessageStartingWith("MAILROOM_MAX_AGE");
    }

    @Test
    void fromShouldConfigureImplicitTlsAndVerificationForARelayOnPort465() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_DELIVERY_MODE", "relay");
        env.put("MAILROOM_RELAY_HOST", "email-smtp.eu-west-1.amazonaws.com");
        env.put("MAILROOM_RELAY_PORT", "465");
        env.put("MAILROOM_RELAY_USERNAME", "AKIAEXAMPLE");
        env.put("MAILROOM_RELAY_PASSWORD", "s3cr3t-password");

        MailroomConfig config = MailroomConfig.from(env);

        assertThat(config.smtp().relay().implicitTls()).isTrue();
        assertThat(config.smtp().tlsPolicy()).isEqualTo(TlsPolicy.VERIFY);
        assertThat(config.toString()).doesNotContain("s3cr3t-password");
    }

    @Test
    void fromShouldRefuseRelayCredentialsOverPlaintext() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_DELIVERY_MODE", "relay");
        env.put("MAILROOM_RELAY_HOST", "relay.example.com");
        env.put("MAILROOM_RELAY_USERNAME", "user");
        env.put("MAILROOM_RELAY_PASSWORD", "s3cr3t-password");
        env.put("MAILROOM_TLS", "none");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TLS").hasMessageNotContaining("s3cr3t-password");
    }

    @Test
    void fromShouldRequireTheRelayHostInRelayMode() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_DELIVERY_MODE", "relay");

        assertThatThrownBy(() -> MailroomConfig.from(env)).hasMessageStartingWith("MAILROOM_RELAY_HOST");
    }

    @Test
    void fromShouldLetServiceEndpointsOverrideTheCommonOne() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_AWS_ENDPOINT", "http://127.0.0.1:4566");
        env.put("MAILROOM_SQS_ENDPOINT", "http://127.0.0.1:9324");

        MailroomConfig config = MailroomConfig.from(env);

        assertThat(config.endpoints().sqs()).hasToString("http://127.0.0.1:9324");
        assertThat(config.endpoints().dynamo()).hasToString("http://127.0.0.1:4566");
    }

    @Test
    void fromShouldNameAnEndpointVariableThatIsNotAUrl() {
        Map<String, String> env = minimal();
        env.put("MAILROOM_DYNAMODB_ENDPOINT", "localhost:8000");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessage("MAILROOM_DYNAMODB_ENDPOINT: must be a URL such as http://127.0.0.1:4566, was 'localhost:8000'");
    }

    @Test
    void fromShouldLoadTheTrustStoresCaWhenItsPasswordIsGiven(@TempDir Path dir) throws Exception {
        // Given: a relay verified against a PKCS12 trust store holding the test CA
        TestPki pki = TestPki.create();
        Map<String, String> env = relayWithTrustStore(pki.writeTrustStore(dir, "changeit".toCharArray()));
        env.put("MAILROOM_TLS_TRUST_STORE_PASSWORD", "changeit");

        // When
        KeyStore store = MailroomConfig.from(env).smtp().trustStore();

        // Then
        assertThat(store.getCertificate("mailroom-test-ca")).isEqualTo(pki.caCertificate());
    }

    @Test
    void fromShouldRefuseATrustStoreReadWithoutItsPasswordNamingBothVariables(@TempDir Path dir) {
        // Given: the store's password is not set; read without it, PKCS12 yields no certificate at all
        Map<String, String> env = relayWithTrustStore(TestPki.create().writeTrustStore(dir, "changeit".toCharArray()));

        // When / Then: start-up fails, instead of every TLS handshake later ("trustAnchors ... non-empty")
        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TLS_TRUST_STORE:")
                .hasMessageContaining("MAILROOM_TLS_TRUST_STORE_PASSWORD")
                .hasMessageContaining("no trusted certificate");
    }

    @Test
    void fromShouldRefuseATrustStoreWithAWrongPasswordNamingBothVariables(@TempDir Path dir) {
        Map<String, String> env = relayWithTrustStore(TestPki.create().writeTrustStore(dir, "changeit".toCharArray()));
        env.put("MAILROOM_TLS_TRUST_STORE_PASSWORD", "not-the-password");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TLS_TRUST_STORE:")
                .hasMessageContaining("MAILROOM_TLS_TRUST_STORE_PASSWORD")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void fromShouldRefuseATrustStoreHoldingNoCertificate(@TempDir Path dir) throws Exception {
        // Given: a readable PKCS12 file, password right, but empty
        Path empty = dir.resolve("empty.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            store.store(out, "changeit".toCharArray());
        }
        Map<String, String> env = relayWithTrustStore(empty);
        env.put("MAILROOM_TLS_TRUST_STORE_PASSWORD", "changeit");

        assertThatThrownBy(() -> MailroomConfig.from(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_TLS_TRUST_STORE:").hasMessageContaining("no trusted certificate");
    }

    private static Map<String, String> relayWithTrustStore(Path trustStore) {
        Map<String, String> env = minimal();
        env.put("MAILROOM_DELIVERY_MODE", "relay");
        env.put("MAILROOM_RELAY_HOST", "relay.example.com");
        env.put("MAILROOM_TLS_TRUST_STORE", trustStore.toString());
        return env;
    }

    @Test
    void aBounceDomainShouldBeAnAllowedSenderDomainOrASubdomainOfOne() {
        Map<String, String> sub = minimal();
        sub.put("MAILROOM_BOUNCE_DOMAIN", "Bounces.Example.com");
        Map<String, String> elsewhere = minimal();
        elsewhere.put("MAILROOM_BOUNCE_DOMAIN", "bounces.example.net");

        assertThat(MailroomConfig.from(minimal()).bounceDomain()).isEmpty();
        assertThat(MailroomConfig.from(sub).bounceDomain()).contains("bounces.example.com");
        assertThatThrownBy(() -> MailroomConfig.from(elsewhere)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILROOM_BOUNCE_DOMAIN").hasMessageContaining("MAILROOM_ALLOWED_SENDER_DOMAINS");
    }
}
