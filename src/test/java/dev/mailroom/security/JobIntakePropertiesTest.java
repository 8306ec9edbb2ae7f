package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.SendJob;
import jakarta.mail.Session;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of {@link JobIntake#accept}, the pipeline's front door, over arbitrary input:
 * <ul>
 *   <li>it never throws, and answers Accepted or Rejected;</li>
 *   <li>a rejection reads {@code <field>: <problem>} with a field path the contract knows, in text
 *       safe to log and store (no control characters, bounded);</li>
 *   <li>an accepted job has no CR, LF or other control character in any field that reaches a
 *       header, composes without an exception, and its header section holds only the header lines
 *       Mailroom writes plus the job's own custom headers.</li>
 * </ul>
 * Inputs come from {@link JobMutations}: arbitrary strings, JSON-ish token soup, and a valid job
 * (structured or raw) changed one to three times — a field dropped, a type changed, CR/LF/NUL
 * injected into any string or key, random Unicode, or a value known to be tricky for that field
 * (quoted local parts, IDN, multipart content types, path tricks...).
 */
class JobIntakePropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** mail.from spares Jakarta Mail a local host name look-up for every multipart boundary. */
    private static final Session SESSION = Session.getInstance(properties("mail.from", "billing@mailroom.test"));
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("mailroom.test")),
            Set.of("mailroom-attachments"));

    /** The field paths a reason may name: the v1 contract's, with list indexes and map keys. */
    private static final String NAME = "[^\\p{Cc}]{1,200}";
    private static final Pattern REASON = Pattern.compile("(body|version|jobId|from|envelopeFrom|subject|text|html"
            + "|expiresAt|raw|raw\\.s3|raw\\.s3\\.(bucket|key)"
            + "|(replyTo|to|cc|bcc)(\\[\\d+])?"
            + "|headers(\\." + NAME + ")?"
            + "|tags(\\." + NAME + ")?"
            + "|attachments(\\[\\d+](\\.(filename|contentType|disposition|contentId|content|s3|s3\\.bucket|s3\\.key))?)?"
            + "): [^\\p{Cc}]+"
            // An unknown field is named as written, wherever it is: the one reason naming no contract field.
            + "|" + NAME + ": unknown field", Pattern.DOTALL);

    /** Headers Mailroom itself writes on the top-level message; anything else must be a job's custom header. */
    private static final Set<String> OWN_HEADERS = Set.of("date", "from", "reply-to", "to", "cc", "message-id", "subject",
            "mime-version", "content-type", "content-transfer-encoding");

    @Property(tries = 1000)
    void acceptShouldAnswerAnyStringWithAValueNeverAnException(@ForAll("anyBody") String body) {
        check(body);
    }

    @Property(tries = 800)
    void acceptShouldAnswerAnyMutationOfAValidJobPrecisely(@ForAll("mutatedJobs") String body) {
        IntakeResult result = check(body);
        Statistics.label("outcome").collect(result.getClass().getSimpleName());
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check("Accepted").percentage(p -> p > 5);
            coverage.check("Rejected").percentage(p -> p > 30);
        });
    }

    @Property(tries = 400)
    void anAcceptedJobShouldComposeWithNoHeaderLineBeyondMailroomsAndTheJobsOwn(@ForAll("slightlyChangedJobs") String body) {
        // Rejections are the two properties above; this one is about what intake lets through.
        if (INTAKE.accept(body, "fallback-id") instanceof IntakeResult.Accepted accepted) {
            assertHeaderBoundValuesAreClean(accepted);
            composes(accepted.parsed());
        }
    }

    // ------------------------------------------------------------------------------------------

    private static Properties properties(String name, String value) {
        Properties properties = new Properties();
        properties.setProperty(name, value);
        return properties;
    }

    private static IntakeResult check(String body) {
        IntakeResult result;
        try {
            result = INTAKE.accept(body, "fallback-id");
        } catch (RuntimeException | Error e) {
            throw new AssertionError("accept() threw for " + BadJobCorpus.printable(body), e);
        }
        assertThat(result).isNotNull();
        if (result instanceof IntakeResult.Rejected rejected) {
            String reason = rejected.reason();
            assertThat(REASON.matcher(reason).matches())
                    .as("reason \"%s\" is not <known field>: <problem>", BadJobCorpus.printable(reason)).isTrue();
            assertThat(BadJobCorpus.unsafeReason(reason)).as(BadJobCorpus.printable(reason)).isNull();
            assertThat(reason).as("an exception intake did not anticipate").doesNotStartWith("body: could not be read");
        } else {
            assertHeaderBoundValuesAreClean((IntakeResult.Accepted) result);
        }
        return result;
    }

    private static void assertHeaderBoundValuesAreClean(IntakeResult.Accepted accepted) {
        headerBoundValues(accepted).forEach((field, value) -> assertThat(hasControl(value))
                .as("accepted job: %s = \"%s\"", field, BadJobCorpus.printable(value)).isFalse());
    }

    /** Every value of an accepted job that ends up in a header line (or in the SMTP envelope). */
    private static Map<String, String> headerBoundValues(IntakeResult.Accepted accepted) {
        SendJob job = accepted.job();
        Map<String, String> values = new java.util.LinkedHashMap<>();
        BiConsumer<String, String> put = (field, value) -> {
            if (value != null) {
                values.put(field + "#" + values.size(), value);
            }
        };
        put.accept("jobId", accepted.jobId());
        put.accept("from", job.from());
        put.accept("envelopeFrom", job.envelopeFrom());
        put.accept("subject", job.subject());
        List.of(job.replyTo(), job.to(), job.cc(), job.bcc()).forEach(list -> list.forEach(v -> put.accept("address", v)));
        job.headers().forEach((name, value) -> {
            put.accept("header name", name);
            put.accept("header value", value);
        });
        job.tags().forEach((name, value) -> {
            put.accept("tag name", name);
            put.accept("tag value", value);
        });
        for (Attachment attachment : job.attachments()) {
            put.accept("filename", attachment.filename());
            put.accept("contentType", attachment.contentType());
            put.accept("contentId", attachment.contentId());
            put.accept("disposition", attachment.disposition());
        }
        accepted.recipients().forEach(r -> put.accept("envelope recipient", r.toString()));
        return values;
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(c -> c == '\r' || c == '\n' || (Character.isISOControl(c) && c != '\t'));
    }

    private static void composes(ParsedJob parsed) {
        SendJob job = parsed.job();
        String wire;
        boolean utf8;
        try {
            ComposedMessage composed = new MessageComposer(new FixedStore(job.isRaw() ? job.raw().s3() : null),
                    Clock.systemUTC()).compose(parsed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            composed.newInstance(SESSION).writeTo(out);
            // RFC 6532: UTF-8 in header fields only in a message that goes by SMTPUTF8
            utf8 = composed.smtpUtf8();
            wire = out.toString(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            throw new AssertionError("an accepted job did not compose: " + e, e);
        }
        int end = wire.indexOf("\r\n\r\n");
        assertThat(end).as("no end of header section").isPositive();
        Set<String> allowed = new TreeSet<>(OWN_HEADERS);
        job.headers().keySet().forEach(name -> allowed.add(name.toLowerCase(Locale.ROOT)));
        if (job.isRaw()) {
            allowed.addAll(FixedStore.RAW_HEADERS);
        }
        String unfolded = wire.substring(0, end).replaceAll("\r\n[ \t]", " ");
        for (String line : unfolded.split("\r\n")) {
            assertThat(line).as("header line in\n%s", wire.substring(0, end)).matches("[\\x21-\\x39\\x3B-\\x7E]+:.*");
            assertThat(line.chars().allMatch(c -> (c >= 0x20 && c < 0x7F || c == '\t') || utf8 && c > 0x9F))
                    .as("headers stay printable, 7-bit unless the message needs SMTPUTF8: %s",
                            BadJobCorpus.printable(line)).isTrue();
            String name = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
            assertThat(allowed).as("header %s", BadJobCorpus.printable(line)).contains(name);
        }
    }

    /** S3 stand-in: the raw message is a small valid one, every attachment four bytes of PDF. */
    private record FixedStore(S3Location raw) implements AttachmentStore {
        static final Set<String> RAW_HEADERS = Set.of("from", "to", "subject");
        private static final byte[] RAW = "From: billing@mailroom.test\r\nTo: ann@example.org\r\nSubject: raw\r\n\r\nbody\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        private static final byte[] PDF = "%PDF".getBytes(StandardCharsets.US_ASCII);

        @Override
        public long size(S3Location location) {
            return location.equals(raw) ? RAW.length : PDF.length;
        }

        @Override
        public InputStream open(S3Location location) {
            return new ByteArrayInputStream(location.equals(raw) ? RAW : PDF);
        }
    }

    // --- generators: see JobMutations ---------------------------------------------------------

    @Provide
    Arbitrary<String> anyBody() {
        return JobMutations.anyBody();
    }

    @Provide
    Arbitrary<String> mutatedJobs() {
        return JobMutations.mutatedJobs();
    }

    @Provide
    Arbitrary<String> slightlyChangedJobs() {
        return JobMutations.slightlyChangedJobs();
    }
}
