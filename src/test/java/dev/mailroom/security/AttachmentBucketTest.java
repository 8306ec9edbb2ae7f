package dev.mailroom.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.PipelineHarness;
import dev.mailroom.testing.SmtpTestServer;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Attachments and raw messages come only from {@code MAILROOM_ATTACHMENT_BUCKETS}, whatever the
 * job says — even where Mailroom's credentials could read other buckets, as they can on the
 * emulator — and a key inside an allowed bucket can only name itself.
 */
class AttachmentBucketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALLOWED = "mailroom-attachments";
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("mailroom.test")),
            Set.of(ALLOWED, "mailroom-raw"));

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private PipelineHarness pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (mx != null) {
            mx.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    static Stream<Arguments> bucketsThatAreNotAllowed() {
        return Stream.of("someone-elses-bucket", "MAILROOM-ATTACHMENTS", " mailroom-attachments", "mailroom-attachments ",
                "arn:aws:s3:::mailroom-attachments", "mailroom-attachments/../someone-elses-bucket",
                "s3://mailroom-attachments", "mailroom-attachments.s3.amazonaws.com", "", "mailroom-attachments\u0000")
                .flatMap(bucket -> Stream.of(Arguments.of("attachments[1].s3", bucket), Arguments.of("raw.s3", bucket)));
    }

    @ParameterizedTest(name = "{0} from \"{1}\"")
    @MethodSource("bucketsThatAreNotAllowed")
    void acceptShouldRefuseEveryBucketNotListed(String field, String bucket) {
        // Given: a job reading from a bucket that is not listed (for attachments, the second one)
        ObjectNode job = job();
        if (field.startsWith("raw")) {
            job.remove(java.util.List.of("subject", "text", "attachments"));
            job.putObject("raw").putObject("s3").put("bucket", bucket).put("key", "m.eml");
        } else {
            job.withArray("attachments").addObject().put("filename", "b.pdf").putObject("s3")
                    .put("bucket", bucket).put("key", "b.pdf");
        }

        // When
        IntakeResult result = INTAKE.accept(job.toString(), "id");

        // Then
        assertThat(result).isInstanceOf(IntakeResult.Rejected.class);
        assertThat(((IntakeResult.Rejected) result).reason())
                .isEqualTo(field + ".bucket: is not in MAILROOM_ATTACHMENT_BUCKETS");
    }

    @Test
    void onlyTheListedBucketsShouldEverBeReadAndAKeyShouldOnlyNameItself() throws Exception {
        // Given: two allowed buckets; the harness's own bucket is readable but not allowed
        AwsTestStack stack = AwsTestStack.shared();
        String first = stack.uniqueName("allowed-a");
        String second = stack.uniqueName("allowed-b");
        stack.s3().createBucket(b -> b.bucket(first));
        stack.s3().createBucket(b -> b.bucket(second));
        dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.2");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        pipeline = new PipelineHarness(dns, mx.port(), Map.of("MAILROOM_ATTACHMENT_BUCKETS", first + "," + second));
        String notAllowed = pipeline.bucket;
        pipeline.upload("secret.txt", "SECRET-IN-A-BUCKET-NOT-LISTED".getBytes(StandardCharsets.UTF_8));
        put(stack, first, "invoice.pdf", "%PDF-allowed-a");
        put(stack, first, "secret.txt", "SECRET-UNDER-ANOTHER-KEY");
        put(stack, first, "x/secret.txt", "SECRET-UNDER-ANOTHER-KEY");
        put(stack, second, "raw/m.eml", "From: billing@mailroom.test\r\nTo: ann@example.org\r\nSubject: raw\r\n\r\nraw body\r\n");

        // When
        pipeline.enqueue(PipelineHarness.job("from-first", "ann@example.org", attachment(first, "invoice.pdf")));
        pipeline.enqueue(raw("raw-from-second", second, "raw/m.eml"));
        pipeline.enqueue(PipelineHarness.job("from-not-listed", "ann@example.org", attachment(notAllowed, "secret.txt")));
        pipeline.enqueue(raw("raw-from-not-listed", notAllowed, "secret.txt"));
        pipeline.enqueue(PipelineHarness.job("second-from-not-listed", "ann@example.org",
                attachment(first, "invoice.pdf").replace("}}]", "}},{\"filename\":\"s.txt\",\"s3\":{\"bucket\":\""
                        + notAllowed + "\",\"key\":\"secret.txt\"}}]")));
        for (String key : new String[] {"./secret.txt", "x/./secret.txt", ".", "x//secret.txt", "x/../secret.txt",
                "/secret.txt", "x\\..\\secret.txt", "%2e%2e/secret.txt", "x/%2E/secret.txt"}) {
            pipeline.enqueue(PipelineHarness.job("key-" + Integer.toHexString(key.hashCode()), "ann@example.org",
                    attachment(first, key.replace("\\", "\\\\"))));
        }
        pipeline.drain();

        // Then: the listed buckets serve; the other is never read
        assertThat(pipeline.job("from-first").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.job("raw-from-second").status()).isEqualTo(JobStatus.DELIVERED);
        assertThat(pipeline.job("from-not-listed").lastError())
                .isEqualTo("attachments[0].s3.bucket: is not in MAILROOM_ATTACHMENT_BUCKETS");
        assertThat(pipeline.job("raw-from-not-listed").lastError())
                .isEqualTo("raw.s3.bucket: is not in MAILROOM_ATTACHMENT_BUCKETS");
        assertThat(pipeline.job("second-from-not-listed").lastError())
                .isEqualTo("attachments[1].s3.bucket: is not in MAILROOM_ATTACHMENT_BUCKETS");
        // ...and a key with dots, slashes or escapes is refused or names nothing: never another object
        for (String key : new String[] {"./secret.txt", "x/./secret.txt", ".", "x//secret.txt", "x/../secret.txt",
                "/secret.txt", "x\\..\\secret.txt", "%2e%2e/secret.txt", "x/%2E/secret.txt"}) {
            JobRecord job = pipeline.job("key-" + Integer.toHexString(key.hashCode()));
            assertThat(job.status()).as("%s: %s", key, job.lastError()).isIn(JobStatus.REJECTED, JobStatus.FAILED);
        }
        assertThat(mx.received()).hasSize(2).allSatisfy(m -> assertThat(m.content()).doesNotContain("SECRET"));
        MimeMultipart parts = (MimeMultipart) mx.received().stream()
                .filter(m -> m.content().contains("invoice.pdf")).findFirst().orElseThrow().parse().getContent();
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes())
                .isEqualTo("%PDF-allowed-a".getBytes(StandardCharsets.UTF_8));
    }

    private static void put(AwsTestStack stack, String bucket, String key, String content) {
        stack.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    private static String attachment(String bucket, String key) {
        return "\"attachments\":[{\"filename\":\"invoice.pdf\",\"contentType\":\"application/pdf\","
                + "\"s3\":{\"bucket\":\"" + bucket + "\",\"key\":\"" + key + "\"}}]";
    }

    private static String raw(String jobId, String bucket, String key) {
        return "{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"billing@mailroom.test\",\"to\":[\"ann@example.org\"],"
                + "\"raw\":{\"s3\":{\"bucket\":\"" + bucket + "\",\"key\":\"" + key + "\"}}}";
    }

    private static ObjectNode job() {
        ObjectNode job = JSON.createObjectNode().put("version", 1).put("from", "billing@mailroom.test");
        job.putArray("to").add("ann@example.org");
        job.put("subject", "s").put("text", "t");
        job.putArray("attachments").addObject().put("filename", "a.pdf").putObject("s3")
                .put("bucket", ALLOWED).put("key", "a.pdf");
        return job;
    }
}
