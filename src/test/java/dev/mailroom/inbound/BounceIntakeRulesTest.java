package dev.mailroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.feedback.SuppressionRules;
import dev.mailroom.job.BounceToken;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import dev.mailroom.testing.InMemoryLedger;
import dev.mailroom.testing.InMemorySuppressionList;
import dev.mailroom.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BounceIntake's branches over the in-memory ledger and list (they honour the DynamoDB ones'
 * conditions): what a report changes, and what it leaves alone. Real corpus messages, rewritten.
 */
class BounceIntakeRulesTest {

    private static final Instant SENT = Instant.parse("2026-11-28T12:00:00Z");
    private static final String DOMAIN = "bounces.mailroom.test";

    private final BounceToken token = TestKeys.bounceToken();
    private final InMemoryLedger ledger = new InMemoryLedger();
    private final InMemorySuppressionList list = new InMemorySuppressionList();
    private final BounceIntake intake = new BounceIntake(new BounceIntake.ReturnPaths(DOMAIN, token), ledger,
            Optional.of(list), SuppressionRules.standard(), dev.mailroom.outbox.Outbox.none(),
            Clock.fixed(SENT.plusSeconds(3600), ZoneOffset.UTC));
    private String verp;

    @BeforeEach
    void aDeliveredJob() {
        ledger.put(new JobRecord("job-1", JobStatus.DELIVERED, 1, SENT, SENT, null, null, null, null, null,
                "<m@mailroom.test>", Map.of("neko@nyaan.jp", new RecipientRecord(RecipientStatus.DELIVERED, 250, "2.0.0",
                "ok", "mx.nyaan.jp", 1, SENT)), null, null));
        verp = token.localPart("job-1", "neko@nyaan.jp").orElseThrow() + "@" + DOMAIN;
    }

    @Test
    void aDelayNoticeShouldChangeNothing() throws IOException {
        // OpenSMTPD's "Action: delayed, Status: 4.0.0"
        BounceIntake.Result result = intake.take(corpus("lhost-opensmtpd-12.eml", "kijitora@df.example.jp"), "k");

        assertThat(result).isInstanceOf(BounceIntake.Result.Ignored.class);
        assertThat(status()).isEqualTo(RecipientStatus.DELIVERED);
        assertThat(list.find(java.util.List.of("neko@nyaan.jp"), Optional.empty(), SENT.plusSeconds(3600))).isEmpty();
    }

    @Test
    void aBounceToAnotherAddressShouldBeUnmatched() throws IOException {
        BounceIntake.Result result = intake.take(corpus("lhost-postfix-01.eml"), "k");

        assertThat(result).isInstanceOf(BounceIntake.Result.Unmatched.class);
        assertThat(status()).isEqualTo(RecipientStatus.DELIVERED);
    }

    @Test
    void aPermanentBounceShouldNameItsOneRecipientEvenWhenTheReportNamesAForwardedAddress() throws IOException {
        // Postfix reports r@p351355… (expanded from kijitora@example.org): neither is the ledger's recipient
        BounceIntake.Result result = intake.take(corpus("lhost-postfix-01.eml", "shironeko@mx.example.jp"), "k");

        assertThat(result).isInstanceOfSatisfying(BounceIntake.Result.Recorded.class, recorded -> {
            assertThat(recorded.recipient()).isEqualTo("neko@nyaan.jp");
            assertThat(recorded.status()).isEqualTo(RecipientStatus.BOUNCED);
            assertThat(recorded.suppressed()).isPresent();
        });
    }

    private RecipientStatus status() {
        return ledger.find("job-1").orElseThrow().recipients().get("neko@nyaan.jp").status();
    }

    /** The corpus message with {@code addressedTo} (where it was delivered) rewritten to the VERP address. */
    private byte[] corpus(String name, String addressedTo) throws IOException {
        return new String(corpus(name), StandardCharsets.ISO_8859_1).replace(addressedTo, verp)
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The corpus message as it is: delivered to its own addresses, none of them a VERP address. */
    private static byte[] corpus(String name) throws IOException {
        try (InputStream in = BounceIntakeRulesTest.class.getResourceAsStream("/corpus/bounces/" + name)) {
            return in.readAllBytes();
        }
    }
}
