package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.retry.DeadLetters;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestPki;
import dev.mailroom.worker.SqsPoller;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Message bodies, attachment bytes and the relay password never reach a log. Jobs run through the
 * whole pipeline — delivered, deferred then dead-lettered, failed for good, rejected, and refused
 * by a relay that does not take the configured password — while both Mailroom's JSON log
 * lines and everything written to System.out and System.err are captured; then every capture, the
 * ledger's texts and the DLQ's reason attributes are searched for distinctive canaries (raw and
 * base64).
 */
class SecretsNotLoggedTest {

    private static final String USER = "mailroom-relay-user";
    private static final String CONFIGURED_PASSWORD = "Configured-Pa55word-" + UUID.randomUUID();

    private final String body = "BODY-CANARY-" + UUID.randomUUID();
    private final String html = "<p>HTML-CANARY-" + UUID.randomUUID() + "</p>";
    private final byte[] inline = ("INLINE-ATTACHMENT-CANARY-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    private final byte[] stored = ("S3-ATTACHMENT-CANARY-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

    private DnsTestServer dns;
    private SmtpTestServer smtp;
    private PipelineHarness pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (smtp != null) {
            smtp.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void noOutcomeShouldPutABodyOrAnAttachmentInTheLogs() {
        // Given: a server that accepts one recipient, refuses one for good and defers one forever
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        smtp = SmtpTestServer.builder().bind("127.0.0.2")
                .rejectRecipient("gone@example.org", 550, "5.1.1 no such user")
                .rejectRecipient("later@example.org", 451, "4.3.0 try again later").start();
        pipeline = new PipelineHarness(dns, smtp.port(), Map.of("MAILROOM_MAX_ATTEMPTS", "2",
                "TEST_VISIBILITY_TIMEOUT", "60"));
        pipeline.upload("canary/stored.bin", stored);

        // When: delivered, failed + deferred to death, and rejected
        String captured = capturingConsole(() -> {
            pipeline.enqueue(job("delivered", "ok@example.org", ""));
            pipeline.enqueue(job("failed-and-deferred", "gone@example.org", ",\"cc\":[\"later@example.org\"]"));
            pipeline.enqueue(job("rejected", "ok@example.org", ",\"headers\":{\"X-Tag\":\"a\\r\\nBcc: v@evil.test\"}"));
            drainUntil(() -> isFinal("delivered") && isFinal("failed-and-deferred") && isFinal("rejected"));
        });

        // Then
        assertThat(pipeline.job("delivered").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.job("failed-and-deferred").status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(pipeline.job("rejected").status()).isEqualTo(JobStatus.REJECTED);
        assertThat(smtp.received()).as("the canaries did travel, to the server only").isNotEmpty()
                .anySatisfy(m -> assertThat(m.content()).contains(body));
        assertNoSecretIn("Mailroom's log lines", String.join("\n", pipeline.logs), contentSecrets());
        assertNoSecretIn("System.out and System.err", captured, contentSecrets());
        assertNoSecretIn("the ledger", ledgerTexts("delivered", "failed-and-deferred", "rejected"),
                contentSecrets());
        assertNoSecretIn("DLQ reasons", deadLetterReasons(), contentSecrets());
    }

    @Test
    void aRelayRefusingTheLoginShouldNotBringThePasswordIntoTheLogs(@TempDir Path dir) {
        // Given: a relay that knows the user under another password than the one configured
        TestPki pki = TestPki.create();
        Path trustStore = pki.writeTrustStore(dir, "changeit".toCharArray());
        dns = DnsTestServer.start();
        smtp = SmtpTestServer.builder().hostName("localhost").implicitTls(pki.serverContext("localhost"))
                .requireAuth(USER, "the-relays-real-password").start();
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_DELIVERY_MODE", "relay");
        env.put("MAILROOM_RELAY_HOST", "localhost");
        env.put("MAILROOM_RELAY_PORT", Integer.toString(smtp.port()));
        env.put("MAILROOM_RELAY_IMPLICIT_TLS", "true");
        env.put("MAILROOM_RELAY_USERNAME", USER);
        env.put("MAILROOM_RELAY_PASSWORD", CONFIGURED_PASSWORD);
        env.put("MAILROOM_TLS", "verify");
        env.put("MAILROOM_TLS_TRUST_STORE", trustStore.toString());
        env.put("MAILROOM_TLS_TRUST_STORE_PASSWORD", "changeit");
        env.put("MAILROOM_MAX_ATTEMPTS", "1");

        // When: the wiring, the attempt, the dead-lettering all happen while the console is captured
        String captured = capturingConsole(() -> {
            pipeline = new PipelineHarness(dns, 25, env);
            pipeline.upload("canary/stored.bin", stored);
            pipeline.enqueue(job("relay-refused", "ann@example.org", ""));
            drainUntil(() -> isFinal("relay-refused"));
        });

        // Then: deferred with the relay's own reply (535 5.7.8), expired after one attempt, password nowhere
        JobRecord job = pipeline.job("relay-refused");
        assertThat(job.status()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(job.recipient("ann@example.org").enhancedCode()).isEqualTo("5.7.8");
        assertThat(smtp.received()).isEmpty();
        List<String> secrets = new ArrayList<>(contentSecrets());
        secrets.addAll(List.of(CONFIGURED_PASSWORD, base64(CONFIGURED_PASSWORD.getBytes(StandardCharsets.UTF_8)),
                base64(("\0" + USER + "\0" + CONFIGURED_PASSWORD).getBytes(StandardCharsets.UTF_8))));
        assertNoSecretIn("Mailroom's log lines", String.join("\n", pipeline.logs), secrets);
        assertNoSecretIn("System.out and System.err", captured, secrets);
        assertNoSecretIn("the ledger", ledgerTexts("relay-refused"), secrets);
        assertNoSecretIn("DLQ reasons", deadLetterReasons(), secrets);
        assertNoSecretIn("the configuration's toString", pipeline.wiring.config().toString(), secrets);
    }

    // ------------------------------------------------------------------------------------------

    private String job(String jobId, String to, String extra) {
        return "{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"Sender <sender@mailroom.test>\","
                + "\"to\":[\"" + to + "\"]" + extra + ",\"subject\":\"Hello\",\"text\":\"" + body + "\","
                + "\"html\":\"" + html + "\",\"attachments\":["
                + "{\"filename\":\"inline.bin\",\"contentType\":\"application/octet-stream\",\"content\":\"" + base64(inline) + "\"},"
                + "{\"filename\":\"stored.bin\",\"s3\":{\"bucket\":\"" + pipeline.bucket + "\",\"key\":\"canary/stored.bin\"}}]}";
    }

    /** The body and attachments as they travel: raw, and base64 as in the job and the MIME parts. */
    private List<String> contentSecrets() {
        return List.of(body, html.substring(3, html.length() - 4), new String(inline, StandardCharsets.UTF_8),
                base64(inline), new String(stored, StandardCharsets.UTF_8), base64(stored),
                base64(inline).substring(0, 24), base64(stored).substring(0, 24));
    }

    private static void assertNoSecretIn(String where, String text, List<String> secrets) {
        for (String secret : secrets) {
            assertThat(text).as("%s must not contain %s", where, secret).doesNotContain(secret);
        }
    }

    private boolean isFinal(String jobId) {
        return pipeline.wiring.ledger().find(jobId).map(j -> j.status().isTerminal()).orElse(false);
    }

    /** Polls the send queue until the condition holds, for at most a minute. */
    private void drainUntil(BooleanSupplier done) {
        SqsPoller poller = pipeline.poller();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            poller.pollOnce(1);
        }
    }

    private String ledgerTexts(String... jobIds) {
        StringBuilder all = new StringBuilder();
        for (String jobId : jobIds) {
            pipeline.wiring.ledger().find(jobId).ifPresent(job -> {
                all.append(job.lastError()).append('\n');
                job.recipients().values().forEach(r -> all.append(r.replyText()).append('\n'));
            });
        }
        return all.toString();
    }

    private String deadLetterReasons() {
        StringBuilder all = new StringBuilder();
        for (Message message : pipeline.takeDeadLetters()) {
            all.append(message.messageAttributes().get(DeadLetters.REASON_ATTRIBUTE).stringValue()).append('\n');
        }
        return all.toString();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Runs {@code action} with System.out and System.err copied into a buffer; returns what was written. */
    private static String capturingConsole(Runnable action) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(new Tee(out, buffer), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, buffer), true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            console.write(b);
            synchronized (copy) {
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            console.write(bytes, offset, length);
            synchronized (copy) {
                copy.write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            console.flush();
        }
    }
}
