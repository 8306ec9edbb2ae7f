package dev.mailroom.compose;

import dev.mailroom.sign.DkimKeyring;
import dev.mailroom.sign.MessageSigning;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.Deadline;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.SendJob;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.MemoryAttachmentStore;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-click unsubscribe (RFC 8058) as the receiving server gets it: the List-Unsubscribe fields, one
 * message for a URL every recipient shares, and one message (and DATA transaction) per recipient when
 * the URL names each, its token verifying to that recipient.
 */
class UnsubscribeDeliveryTest {

    private static final String ENDPOINT = "https://unsubscribe.mailroom.test/u/{token}";
    private static final UnsubscribeToken TOKENS = new UnsubscribeToken("k2",
            Map.of("k1", "1".repeat(32).getBytes(StandardCharsets.US_ASCII),
                    "k2", "2".repeat(32).getBytes(StandardCharsets.US_ASCII)));
    private static final UnsubscribeLinks LINKS = UnsubscribeLinks.of(Optional.of(TOKENS), Optional.of(ENDPOINT));
    /** Every message is signed, as in production: each recipient's its own signature. */
    private static final DkimKeyring KEYS = TestKeys.keyring("mailroom.test");
    private static final Pattern TOKEN_IN_URL = Pattern.compile("<https://[^>]*/u/([^>?]+)>");

    private static DnsTestServer dns;
    private SmtpTestServer mx;
    private DeliveryEngine engine;

    @BeforeAll
    static void startDns() {
        dns = DnsTestServer.start();
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.2");
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void startMx() {
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        engine = new DeliveryEngine(TestEngines.mxSettings(mx.port()),
                DnsMxResolver.create(List.of(dns.address()), Duration.ofSeconds(2)),
                new MessageComposer(new MemoryAttachmentStore(), Clock.systemUTC(), LINKS),
                new MessageSigning(() -> KEYS, Clock.systemUTC()), Clock.systemUTC());
    }

    @AfterEach
    void stopMx() {
        engine.close();
        mx.close();
    }

    @Test
    void aUrlEveryRecipientSharesShouldMakeOneMessageInOneTransaction() {
        // Given
        SendJob job = TestJobs.from("news@mailroom.test").to("ann@example.test", "bob@example.test").text("News")
                .unsubscribe("https://mailroom.test/unsubscribe?list=news", "unsub@mailroom.test", null).build();

        // When
        DeliveryReport report = send(job);

        // Then
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(mx.received()).singleElement().satisfies(message -> {
            assertThat(message.recipients()).containsExactly("ann@example.test", "bob@example.test");
            assertThat(message.header("List-Unsubscribe"))
                    .contains("<https://mailroom.test/unsubscribe?list=news>, <mailto:unsub@mailroom.test>");
            assertThat(message.header("List-Unsubscribe-Post")).contains("List-Unsubscribe=One-Click");
            assertThat(message.parse().getMessageID()).isEqualTo(report.messageId());
        });
    }

    @Test
    void aTokenPerRecipientShouldMakeOneTransactionPerRecipientEachNamingItsRecipient() throws Exception {
        // Given: the application's own URL, the token where it says
        SendJob job = TestJobs.from("news@mailroom.test").jobId("news-42").to("Ann@example.test", "bob@example.test")
                .text("News").unsubscribe("https://mailroom.test/u?t={token}&list=news", null, "acme/news").build();

        // When
        DeliveryReport report = send(job);

        // Then: two DATA transactions, one recipient each, each URL's token naming its recipient
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Delivered.class));
        assertThat(mx.commandLines("DATA")).hasSize(2);
        List<ReceivedMessage> received = mx.received();
        assertThat(received).extracting(ReceivedMessage::recipients)
                .containsExactlyInAnyOrder(List.of("Ann@example.test"), List.of("bob@example.test"));
        List<String> urls = new ArrayList<>();
        for (ReceivedMessage message : received) {
            String recipient = message.recipients().get(0);
            String field = message.header("List-Unsubscribe").orElseThrow();
            String token = field.substring("<https://mailroom.test/u?t=".length(), field.indexOf("&list=news>"));
            assertThat(field).isEqualTo("<https://mailroom.test/u?t=" + token + "&list=news>");
            assertThat(TOKENS.verify(token)).contains(new UnsubscribeToken.Claims("news-42",
                    recipient.toLowerCase(java.util.Locale.ROOT), "acme/news"));
            assertThat(message.header("List-Unsubscribe-Post")).contains("List-Unsubscribe=One-Click");
            urls.add(field);
        }
        assertThat(urls).doesNotHaveDuplicates();
        // Each its own Message-ID, derived from the job's (the one the ledger keeps) and the recipient
        ParsedJob parsed = TestJobs.parsed(job, LINKS.support());
        assertThat(report.messageId()).isEqualTo(MessageComposer.messageIdBeforeComposition(parsed).orElseThrow());
        assertThat(received).allSatisfy(message -> assertThat(message.parse().getMessageID())
                .isEqualTo(MessageComposer.messageIdFor(parsed, parsed.envelope().recipients().stream()
                        .filter(r -> r.getAddress().equals(message.recipients().get(0))).findFirst().orElseThrow()))
                .startsWith(report.messageId().substring(0, report.messageId().indexOf('@'))));
        assertThat(received).extracting(m -> m.parse().getMessageID()).doesNotHaveDuplicates();
        // one after the other, over one connection
        assertThat(mx.sessionsAccepted()).isEqualTo(1);
        // each signed on its own, List-* fields covered, as both independent verifiers judge
        assertThat(report.results()).allSatisfy(r -> assertThat(r.signedBy()).hasSize(2));
        for (ReceivedMessage message : received) {
            DkimVerifier.assertEveryVerifierPasses(java.nio.file.Files.readAllBytes(message.eml()),
                    TestKeys.records("mailroom.test"), 2);
        }
    }

    @Test
    void aDomainThatTookNoneShouldBeTriedOnceAndItsOtherRecipientsShareTheOutcome() {
        // Given: a domain whose one MX turns every session away
        try (SmtpTestServer busy = SmtpTestServer.builder().bind("127.0.0.3").port(mx.port())
                .rejectSessions(421, "4.3.2 try later").start()) {
            dns.mx("busy.test", 10, "mx.busy.test").a("mx.busy.test", "127.0.0.3");
            SendJob job = TestJobs.from("news@mailroom.test").jobId("news-45")
                    .to("a@busy.test", "b@busy.test", "c@busy.test", "ann@example.test").text("News")
                    .unsubscribe(null, null, null).build();

            // When
            DeliveryReport report = send(job);

            // Then: one session at the busy MX; its three recipients deferred alike, ann delivered
            assertThat(busy.sessionsAccepted()).isEqualTo(1);
            assertThat(report.results()).filteredOn(r -> r.address().endsWith("@busy.test")).hasSize(3)
                    .allSatisfy(r -> assertThat(r.outcome()).isInstanceOf(Outcome.Transient.class))
                    .extracting(r -> r.trail().size()).containsOnly(1);
            assertThat(report.resultFor("ann@example.test").outcome()).isInstanceOf(Outcome.Delivered.class);
        }
    }

    @Test
    void aRecipientAServerRefusesForItsAddressShouldNotStopTheOthersOfItsDomain() {
        // Given: a server without SMTPUTF8; the first recipient's address needs it, the second's does not
        // (both Bcc, so that neither address is in a header field of the other's message)
        try (SmtpTestServer ascii = SmtpTestServer.builder().bind("127.0.0.4").port(mx.port()).withoutSmtpUtf8()
                .start()) {
            dns.mx("ascii.test", 10, "mx.ascii.test").a("mx.ascii.test", "127.0.0.4");
            SendJob job = TestJobs.from("news@mailroom.test").jobId("news-46").bcc("josé@ascii.test", "bob@ascii.test")
                    .text("News").unsubscribe(null, null, null).build();

            // When
            DeliveryReport report = send(job);

            // Then: josé fails for his address alone (5.6.7, no MAIL FROM), bob still gets his message
            assertThat(report.resultFor("josé@ascii.test").outcome().diagnosis().enhancedCode()).isEqualTo("5.6.7");
            assertThat(report.resultFor("bob@ascii.test").outcome()).isInstanceOf(Outcome.Delivered.class);
            assertThat(ascii.received()).singleElement()
                    .satisfies(message -> assertThat(message.recipients()).containsExactly("bob@ascii.test"));
        }
    }

    @Test
    void aJobWithoutAUrlShouldGetMailroomsEndpointWithATokenPerRecipient() {
        // Given
        SendJob job = TestJobs.from("news@mailroom.test").jobId("news-43").to("ann@example.test")
                .cc("cc@example.test").text("News").unsubscribe(null, "mailto:unsub@mailroom.test?subject=stop", null)
                .build();

        // When
        send(job);

        // Then: scope by default the From domain
        assertThat(mx.received()).hasSize(2).allSatisfy(message -> {
            String field = message.header("List-Unsubscribe").orElseThrow();
            Matcher url = TOKEN_IN_URL.matcher(field);
            assertThat(url.lookingAt()).as(field).isTrue();
            assertThat(field).startsWith("<https://unsubscribe.mailroom.test/u/v1.k2.")
                    .endsWith(">, <mailto:unsub@mailroom.test?subject=stop>");
            assertThat(TOKENS.verify(url.group(1)))
                    .contains(new UnsubscribeToken.Claims("news-43", message.recipients().get(0), "mailroom.test"));
        });
    }

    @Test
    void aRetryShouldSendOnlyToTheRecipientsStillOpenTheSameMessageAsBefore() throws Exception {
        // Given: a first attempt delivered to both
        SendJob job = TestJobs.from("news@mailroom.test").jobId("news-44").to("ann@example.test", "bob@example.test")
                .text("News").unsubscribe(null, null, "news").build();
        ParsedJob parsed = TestJobs.parsed(job, LINKS.support());
        send(job);
        ReceivedMessage firstToBob = mx.received().stream()
                .filter(m -> m.recipients().equals(List.of("bob@example.test"))).findFirst().orElseThrow();

        // When: another attempt for bob alone
        Composition again = engine.compose(parsed);
        TestEngines.deliver(engine, again, parsed.envelope().withRecipients(List.of(parsed.envelope().recipients().get(1))),
                Deadline.in(Duration.ofMinutes(1), Clock.systemUTC()));

        // Then: one more transaction, to bob, with the Message-ID and URL he had
        assertThat(mx.received()).hasSize(3);
        ReceivedMessage secondToBob = mx.received().get(2);
        assertThat(secondToBob.recipients()).containsExactly("bob@example.test");
        assertThat(secondToBob.parse().getMessageID()).isEqualTo(firstToBob.parse().getMessageID());
        assertThat(secondToBob.header("List-Unsubscribe")).isEqualTo(firstToBob.header("List-Unsubscribe"));
    }

    private DeliveryReport send(SendJob job) {
        ParsedJob parsed = TestJobs.parsed(job, LINKS.support());
        return TestEngines.deliver(engine, engine.compose(parsed), parsed.envelope(),
                Deadline.in(Duration.ofMinutes(1), Clock.systemUTC()));
    }
}
