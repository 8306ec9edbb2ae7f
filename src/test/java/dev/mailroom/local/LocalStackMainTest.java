package dev.mailroom.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.config.ConfigException;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.testing.DkimVerifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's first command: the sample jobs through the real handler on the embedded stack. */
class LocalStackMainTest {

    @Test
    void runShouldDeliverEverySampleJobAndRejectTheInvalidOne() throws Exception {
        String report = run(Clock.systemUTC(), "today", Map.of());

        assertEverySampleDelivered(report);
        String mailLine = report.lines().filter(l -> l.contains("message(s) caught")).findFirst().orElseThrow();
        Path mailDir = Path.of(mailLine.substring(mailLine.indexOf(" in ") + 4));
        try (Stream<Path> files = Files.list(mailDir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".eml")).count())
                    .isEqualTo(Long.parseLong(mailLine.substring(0, mailLine.indexOf(' '))));
        }
        assertThat(Files.readAllLines(mailDir.resolve("mailroom.log")))
                .anyMatch(line -> line.contains("\"jobId\":\"inv-2026-000123\""));
        // The events queue shows the run: a Send per job sent, a Delivery per recipient delivered, each in events.jsonl
        long delivered = report.lines().filter(l -> l.matches(" {4}\\S+@\\S+ +DELIVERED .*")).count();
        assertThat(report.lines().filter(l -> l.matches(" {4}Send +.*"))).hasSize(5);
        assertThat(report.lines().filter(l -> l.matches(" {4}Delivery +.*"))).hasSize((int) delivered);
        assertThat(report).containsPattern("\\b" + (5 + delivered) + " event\\(s\\) on the events queue");
        assertThat(Files.readAllLines(mailDir.resolve("events.jsonl"))).hasSize((int) (5 + delivered))
                .allMatch(line -> line.startsWith("{\"eventType\":"));
    }

    @Test
    void everyCaughtMessageShouldBeSignedByTheRunsDemoKeysAndPassIndependentVerifiers() throws Exception {
        // Given
        String report = run(Clock.systemUTC(), "signed", Map.of());
        String mailLine = report.lines().filter(l -> l.contains("message(s) caught")).findFirst().orElseThrow();
        Path mailDir = Path.of(mailLine.substring(mailLine.indexOf(" in ") + 4));
        assertThat(report).contains("» DKIM: signing with keys made for this run", "DNS at 127.0.0.1:",
                "demo-rsa._domainkey.example.com", "demo-ed25519._domainkey.example.com");

        // When: the records are what openssl makes of the PEM files the run wrote (not Mailroom's code)
        Map<String, String> records = Map.of(
                "demo-rsa._domainkey.example.com", "v=DKIM1; k=rsa; p="
                        + publicKey(mailDir.resolve("dkim/demo-rsa.example.com.pem"), false),
                "demo-ed25519._domainkey.example.com", "v=DKIM1; k=ed25519; p="
                        + publicKey(mailDir.resolve("dkim/demo-ed25519.example.com.pem"), true));

        // Then
        List<Path> caught;
        try (Stream<Path> files = Files.list(mailDir)) {
            caught = files.filter(f -> f.toString().endsWith(".eml")).sorted().toList();
        }
        assertThat(caught).isNotEmpty();
        for (Path eml : caught) {
            DkimVerifier.assertEveryVerifierPasses(Files.readAllBytes(eml), records, 2);
        }
    }

    /** {@code openssl pkey -pubout -outform DER}: the SubjectPublicKeyInfo (RSA), or its last 32 bytes (Ed25519, RFC 8463). */
    private static String publicKey(Path pem, boolean ed25519) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "pkey", "-in", pem.toString(), "-pubout", "-outform", "DER")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] der = openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).isZero();
        byte[] key = ed25519 ? Arrays.copyOfRange(der, der.length - 32, der.length) : der;
        return Base64.getEncoder().encodeToString(key);
    }

    /** No sample may depend on the calendar: the demo ten years from now gives the same answers. */
    @Test
    void runShouldDeliverEverySampleJobTenYearsFromNow() throws Exception {
        Clock tenYearsAhead = Clock.offset(Clock.systemUTC(), Duration.ofDays(3653));

        String report = run(tenYearsAhead, "future", Map.of());

        assertEverySampleDelivered(report);
    }

    @Test
    void runShouldTakeTheConfigurationFromTheEnvironmentOverItsDefaults() throws Exception {
        // Given: a sender domain that only the environment allows
        String report = run(Clock.systemUTC(), "configured",
                Map.of("MAILROOM_ALLOWED_SENDER_DOMAINS", "example.net", "PATH", "/usr/bin"));

        // Then: it is printed, and example.com's samples are now refused with the reason
        assertThat(report).contains("Sender domains allowed (MAILROOM_ALLOWED_SENDER_DOMAINS): example.net");
        assertThat(report).containsPattern("welcome-2026-000001 +REJECTED");
        assertThat(report).contains("reason: from: domain is not in MAILROOM_ALLOWED_SENDER_DOMAINS");
    }

    @Test
    void runShouldRefuseAnUnknownMailroomVariableByName() {
        assertThatThrownBy(() -> run(Clock.systemUTC(), "unknown", Map.of("MAILROOM_RETRIES", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MAILROOM_RETRIES: is not a Mailroom configuration variable");
    }

    @Test
    void recipientLineShouldGiveEveryRecipientNotDeliveredAReason() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        JobRecord job = new JobRecord("j", JobStatus.DEAD_LETTERED, 4, now, now, null, null,
                "expired after 3 attempts", null, null, null, Map.of(), null, null);
        RecipientRecord expired = RecipientRecord.pending(now).expired(now);
        RecipientRecord failed = new RecipientRecord(RecipientStatus.FAILED, 550, "5.1.1", "no such user",
                "mx.example.org", 1, now);

        assertThat(LocalReport.recipientLine("ann@example.org", expired, job))
                .endsWith("EXPIRED   — expired after 3 attempts");
        assertThat(LocalReport.recipientLine("bob@example.org", failed, job))
                .endsWith("FAILED    550 5.1.1 via mx.example.org — no such user");
    }

    private static String run(Clock clock, String names, Map<String, String> environment) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        new LocalStackMain(out, environment, clock, names, Path.of("target", "local-mail")).run(Path.of("events"), false);
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static void assertEverySampleDelivered(String report) {
        assertThat(report).contains("» jobs done: 6/6");
        assertThat(report).containsPattern("welcome-2026-000001 +DELIVERED");
        assertThat(report).containsPattern("inv-2026-000123 +DELIVERED");
        assertThat(report).containsPattern("newsletter-2026-05-ann +DELIVERED");
        assertThat(report).containsPattern("report-2026-w18 +DELIVERED");
        assertThat(report).containsPattern("bad-2026-000001 +REJECTED");
        assertThat(report).contains("reason: subject: contains CR or LF (header injection)");
        assertThat(report).doesNotContain("DEFERRED").doesNotContain("FAILED").doesNotContain("DEAD_LETTERED");
    }
}
