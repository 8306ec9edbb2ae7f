package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import dev.mailroom.testing.TestEngines;
import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Header injection is impossible through any field of a job.
 * <ul>
 *   <li>Every string that reaches a header (display names, addresses, subject, custom header names
 *       and values, attachment file name, type and Content-ID, disposition, tags, the job id) is
 *       refused at intake when it carries CR, LF or NUL, with a reason naming the field.</li>
 *   <li>What intake accepts — Unicode everywhere, line separators, bidi controls, RFC 2047
 *       look-alikes, SMTP commands in the body — reaches a real SMTP server as one message to
 *       exactly its envelope, whose parsed header section has only the headers Mailroom writes and
 *       the job's own, and no address outside the envelope.</li>
 * </ul>
 */
@Timeout(60)
class HeaderInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("mailroom.test")),
            Set.of("mailroom-attachments"));
    private static final List<String> PAYLOADS = List.of("x\r\nBcc: victim@evil.test", "x\nBcc: victim@evil.test",
            "x\rBcc: victim@evil.test", "x\r\n Bcc: victim@evil.test", "x\r\n\r\nInjected body", "x\u0000Bcc: victim@evil.test");

    private static DnsTestServer dns;
    private static SmtpTestServer mx;

    @BeforeAll
    static void startServers() {
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2")
                .mx("xn--bcher-kva.example", 10, "mx.example.org");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
    }

    @AfterAll
    static void stopServers() {
        mx.close();
        dns.close();
    }

    /** A field of a job that reaches a header, and how to put a value there. */
    record Field(String reasonPrefix, BiConsumer<ObjectNode, String> place) {
        @Override
        public String toString() {
            return reasonPrefix;
        }
    }

    static Stream<Field> headerBoundFields() {
        return Stream.of(
                new Field("from", (job, v) -> job.put("from", "Billing " + v + " <billing@mailroom.test>")),
                new Field("envelopeFrom", (job, v) -> job.put("envelopeFrom", "bounces@mailroom.test" + v)),
                new Field("replyTo[0]", (job, v) -> job.putArray("replyTo").add("Support " + v + " <s@mailroom.test>")),
                new Field("to[0]", (job, v) -> job.putArray("to").add("Ann " + v + " <ann@example.org>")),
                new Field("cc[0]", (job, v) -> job.putArray("cc").add("Bob " + v + " <bob@example.org>")),
                new Field("bcc[0]", (job, v) -> job.putArray("bcc").add("Zoe " + v + " <zoe@example.org>")),
                new Field("to[0]", (job, v) -> job.putArray("to").add("ann@example.org" + v)),
                new Field("subject", (job, v) -> job.put("subject", "Invoice " + v)),
                new Field("headers.X-Campaign", (job, v) -> job.putObject("headers").put("X-Campaign", "spring " + v)),
                new Field("headers.", (job, v) -> job.putObject("headers").put("X-Campaign" + v, "spring")),
                new Field("attachments[0].filename", (job, v) -> attachment(job).put("filename", "invoice" + v + ".pdf")),
                new Field("attachments[0].contentType", (job, v) -> attachment(job).put("contentType", "application/pdf" + v)),
                new Field("attachments[0].contentId", (job, v) -> attachment(job).put("contentId", "logo" + v)),
                new Field("attachments[0].disposition", (job, v) -> attachment(job).put("disposition", "inline" + v)),
                new Field("tags.tenant", (job, v) -> job.putObject("tags").put("tenant", "acme" + v)),
                new Field("tags.", (job, v) -> job.putObject("tags").put("tenant" + v, "acme")),
                new Field("jobId", (job, v) -> job.put("jobId", "inv-1" + v)));
    }

    static Stream<Arguments> everyFieldWithEveryPayload() {
        return headerBoundFields().flatMap(field -> PAYLOADS.stream().map(payload -> Arguments.of(field, payload)));
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("everyFieldWithEveryPayload")
    void acceptShouldRefuseCrLfOrNulInAnyHeaderBoundField(Field field, String payload) {
        // Given
        ObjectNode job = validJob();
        field.place().accept(job, payload);

        // When
        IntakeResult result = INTAKE.accept(job.toString(), "sqs-id");

        // Then
        assertThat(result).as("%s accepted %s", field, BadJobCorpus.printable(payload))
                .isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason()).startsWith(field.reasonPrefix());
    }

    @Test
    void acceptShouldTakeTheSameJobWhenTheFieldsHoldNoLineBreak() {
        // The refusals above are about the payload, not the job: the clean job passes.
        headerBoundFields().forEach(field -> {
            ObjectNode job = validJob();
            field.place().accept(job, "");
            assertThat(INTAKE.accept(job.toString(), "sqs-id")).as(field.toString())
                    .isInstanceOf(IntakeResult.Accepted.class);
        });
    }

    @Test
    void unicodeInEveryHeaderBoundFieldShouldReachTheServerAsOneMessageWithNoInjectedHeader() throws Exception {
        // Given: a job that intake accepts, with something odd in every field that reaches a header
        ObjectNode job = validJob();
        job.put("jobId", "unicode-1");
        job.put("from", "Zoë “Billing” \u202Eevil\u202C <billing@mailroom.test>");
        job.putArray("replyTo").add("\"Support\u2028Bcc: victim@evil.test\" <support@mailroom.test>");
        job.putArray("to").add("\"Ann\u2029Bcc: victim@evil.test\" <ann@example.org>");
        job.putArray("cc").add("Bücher <buch@bücher.example>");
        job.putArray("bcc").add("hidden@example.org");
        job.put("subject", "Grüße\u2028Bcc: victim@evil.test =?UTF-8?Q?a=0D=0ABcc:_victim@evil.test?= 🎉");
        job.putObject("headers").put("X-Campaign", "Frühling\u2028Bcc: victim@evil.test")
                .put("List-Unsubscribe", "<https://mailroom.test/u/1>");
        attachment(job).put("filename", "Rechnung\u2028Bcc: victim@evil.test \"; name=x.exe; ü.pdf")
                .put("contentType", "application/pdf; name=\"a\\\"b\"");
        job.putObject("tags").put("tenant", "acmé\u2028Bcc: victim@evil.test");
        job.put("text", "plain\r\nBcc: victim@evil.test\r\n");
        IntakeResult.Accepted accepted = accept(job);

        // When
        DeliveryReport report = deliver(accepted);

        // Then: one message, to exactly the envelope, with no header line beyond Mailroom's and the job's
        assertThat(report.results()).extracting(RecipientResult::outcome)
                .allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        List<ReceivedMessage> received = receivedFor(report);
        assertThat(received).as("one transaction per domain").hasSize(2);
        assertThat(received).flatExtracting(ReceivedMessage::recipients).containsExactlyInAnyOrder("ann@example.org",
                "buch@xn--bcher-kva.example", "hidden@example.org");
        for (ReceivedMessage each : received) {
            assertHeadersAreMailroomsAndTheJobs(each, Set.of("X-Campaign", "List-Unsubscribe"));
            assertThat(each.parse().getHeader("Bcc")).isNull();
            assertThat(addresses(each.parse())).allSatisfy(a -> assertThat(a).isIn("billing@mailroom.test",
                    "support@mailroom.test", "ann@example.org", "buch@xn--bcher-kva.example"));
        }
        MimeMessage message = received.get(0).parse();
        assertThat(message.getSubject())
                .isEqualTo("Grüße\u2028Bcc: victim@evil.test =?UTF-8?Q?a=0D=0ABcc:_victim@evil.test?= 🎉");
        assertThat(MimeUtility.decodeText(message.getHeader("X-Campaign", null)))
                .isEqualTo("Frühling\u2028Bcc: victim@evil.test");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getBodyPart(1).getFileName())
                .isEqualTo("Rechnung\u2028Bcc: victim@evil.test \"; name=x.exe; ü.pdf");
    }

    @ParameterizedTest(name = "{index}: {0}")
    @ValueSource(strings = {"a\r\n.\r\nMAIL FROM:<x@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nevil\r\n.\r\n",
            "a\n.\nMAIL FROM:<x@evil.test>\nRCPT TO:<victim@evil.test>\nDATA\nevil\n.\n",
            "a\r.\rMAIL FROM:<x@evil.test>\rRCPT TO:<victim@evil.test>\rDATA\revil\r.\r",
            "a\n.\r\nMAIL FROM:<x@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nevil\r\n.\r\n",
            "a\r\n.\nMAIL FROM:<x@evil.test>\nRCPT TO:<victim@evil.test>\nDATA\nevil\n.\n",
            ".\r\nQUIT\r\n", "\r\n..\r\n.\r\n"})
    void aBodyShouldNeverEndTheDataPhaseOrSmuggleASecondTransaction(String smuggled) throws Exception {
        // Given: SMTP smuggling attempts in the text and the html
        ObjectNode job = validJob();
        job.put("jobId", "smuggle-" + Integer.toHexString(smuggled.hashCode()));
        job.put("text", smuggled);
        job.put("html", "<p>" + smuggled + "</p>");
        job.remove("attachments");
        int before = mx.received().size();

        // When
        DeliveryReport report = deliver(accept(job));

        // Then: exactly one more message, to exactly the envelope
        assertThat(report.results()).extracting(RecipientResult::outcome)
                .allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        List<ReceivedMessage> received = mx.received();
        assertThat(received).hasSize(before + 1);
        assertThat(received.get(before).recipients()).containsExactly("ann@example.org");
        assertThat(received.get(before).envelopeFrom()).isEqualTo("billing@mailroom.test");
    }

    @Test
    void aRawMessageShouldNeverEndTheDataPhaseOrSmuggleASecondTransaction() throws Exception {
        // Given: a raw message in S3 whose body tries to close DATA and start another transaction
        String bucket = "raw-smuggling-" + System.nanoTime();
        S3TestServer s3 = S3TestServer.shared();
        s3.createBucket(bucket);
        s3.put(bucket, "smuggle.eml", ("From: billing@mailroom.test\r\nTo: ann@example.org\r\nSubject: raw\r\n\r\n"
                + "hello\r\n.\r\nMAIL FROM:<x@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nSubject: smuggled\r\n\r\n"
                + "evil\r\n.\r\nhello\n.\nbye\r.\r").getBytes(StandardCharsets.US_ASCII));
        ObjectNode job = JSON.createObjectNode().put("version", 1).put("jobId", "raw-smuggle")
                .put("from", "billing@mailroom.test");
        job.putArray("to").add("ann@example.org");
        job.putObject("raw").putObject("s3").put("bucket", bucket).put("key", "smuggle.eml");
        JobIntake intake = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("mailroom.test")), Set.of(bucket));
        IntakeResult.Accepted accepted = (IntakeResult.Accepted) intake.accept(job.toString(), "sqs-id");
        int before = mx.received().size();

        // When
        DeliveryReport report = deliver(accepted);

        // Then
        assertThat(report.results()).extracting(RecipientResult::outcome)
                .allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        assertThat(mx.received()).hasSize(before + 1);
        assertThat(mx.received().get(before).recipients()).containsExactly("ann@example.org");
        assertThat(mx.received().get(before).content()).contains("MAIL FROM:<x@evil.test>");
    }

    // ------------------------------------------------------------------------------------------

    static ObjectNode validJob() {
        ObjectNode job = JSON.createObjectNode();
        job.put("version", 1).put("from", "Billing <billing@mailroom.test>");
        job.putArray("to").add("ann@example.org");
        job.put("subject", "Invoice").put("text", "See attached.");
        job.putArray("attachments").addObject().put("filename", "invoice.pdf").put("contentType", "application/pdf")
                .put("disposition", "attachment").put("contentId", "inv").put("content", "JVBERi0xLjQK");
        return job;
    }

    private static ObjectNode attachment(ObjectNode job) {
        return (ObjectNode) job.get("attachments").get(0);
    }

    private static IntakeResult.Accepted accept(ObjectNode job) {
        IntakeResult result = INTAKE.accept(job.toString(), "sqs-id");
        assertThat(result).as(result instanceof IntakeResult.Rejected r ? r.reason() : "")
                .isInstanceOf(IntakeResult.Accepted.class);
        return (IntakeResult.Accepted) result;
    }

    private static DeliveryReport deliver(IntakeResult.Accepted accepted) {
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns)) {
            return TestEngines.send(engine, accepted.job(), accepted.envelope());
        }
    }

    /** Every copy of the reported message the server holds (one per transaction). */
    private static List<ReceivedMessage> receivedFor(DeliveryReport report) throws Exception {
        List<ReceivedMessage> copies = new ArrayList<>();
        for (ReceivedMessage message : mx.received()) {
            if (report.messageId().equals(message.parse().getMessageID())) {
                copies.add(message);
            }
        }
        return copies;
    }

    /** Header names of the top-level message, as the server stored them. */
    private static void assertHeadersAreMailroomsAndTheJobs(ReceivedMessage received, Set<String> jobHeaders)
            throws Exception {
        Set<String> allowed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        allowed.addAll(List.of("Date", "From", "Reply-To", "To", "Cc", "Message-ID", "Subject", "MIME-Version",
                "Content-Type", "Content-Transfer-Encoding"));
        allowed.addAll(jobHeaders);
        List<String> names = new ArrayList<>();
        for (Header header : Collections.list(received.parse().getAllHeaders())) {
            names.add(header.getName());
        }
        assertThat(names).as("header names").allSatisfy(name -> assertThat(allowed).contains(name));
        String headerSection = received.content().substring(0, received.content().indexOf("\r\n\r\n"));
        assertThat(headerSection.lines()).as("raw header lines")
                .allSatisfy(line -> assertThat(line).matches("([\\x21-\\x39\\x3B-\\x7E]+:|[ \\t]).*"));
        assertThat(headerSection.chars().allMatch(c -> c < 0x80)).as("headers stay 7-bit").isTrue();
    }

    private static List<String> addresses(MimeMessage message) throws Exception {
        List<String> all = new ArrayList<>();
        for (String name : List.of("From", "Reply-To", "To", "Cc", "Bcc", "Sender")) {
            String value = message.getHeader(name, ",");
            if (value != null) {
                for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
                    all.add(address.getAddress().toLowerCase(Locale.ROOT));
                }
            }
        }
        for (Message.RecipientType type : List.of(Message.RecipientType.TO, Message.RecipientType.CC)) {
            if (message.getRecipients(type) != null) {
                for (jakarta.mail.Address address : message.getRecipients(type)) {
                    all.add(((InternetAddress) address).getAddress().toLowerCase(Locale.ROOT));
                }
            }
        }
        return all;
    }
}
