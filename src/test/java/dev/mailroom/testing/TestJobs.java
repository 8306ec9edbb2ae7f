package dev.mailroom.testing;

import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.intake.UnsubscribeSupport;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.Envelope;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import dev.mailroom.job.Unsubscribe;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.IDN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Send jobs for tests, built fluently: {@code TestJobs.from("a@x.test").to("b@y.test").text("hi").build()}. */
public final class TestJobs {

    private String jobId = "job-1";
    private final String from;
    private String envelopeFrom;
    private final List<String> to = new ArrayList<>();
    private final List<String> cc = new ArrayList<>();
    private final List<String> bcc = new ArrayList<>();
    private final List<String> replyTo = new ArrayList<>();
    private String subject = "Test message";
    private String text;
    private String html;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<Attachment> attachments = new ArrayList<>();
    private S3Location raw;
    private Unsubscribe unsubscribe;

    private TestJobs(String from) {
        this.from = from;
    }

    public static TestJobs from(String from) {
        return new TestJobs(from);
    }

    public TestJobs jobId(String value) { jobId = value; return this; }
    public TestJobs envelopeFrom(String value) { envelopeFrom = value; return this; }
    public TestJobs to(String... values) { to.addAll(List.of(values)); return this; }
    public TestJobs cc(String... values) { cc.addAll(List.of(values)); return this; }
    public TestJobs bcc(String... values) { bcc.addAll(List.of(values)); return this; }
    public TestJobs replyTo(String... values) { replyTo.addAll(List.of(values)); return this; }
    public TestJobs subject(String value) { subject = value; return this; }
    public TestJobs text(String value) { text = value; return this; }
    public TestJobs html(String value) { html = value; return this; }
    public TestJobs header(String name, String value) { headers.put(name, value); return this; }
    public TestJobs attach(Attachment attachment) { attachments.add(attachment); return this; }
    public TestJobs raw(String bucket, String key) { raw = new S3Location(bucket, key); return this; }
    public TestJobs unsubscribe(String url, String mailto, String scope) {
        unsubscribe = new Unsubscribe(url, mailto, scope);
        return this;
    }

    public TestJobs attachS3(String filename, String contentType, String bucket, String key) {
        return attach(new Attachment(filename, contentType, null, null, null, new S3Location(bucket, key)));
    }

    public SendJob build() {
        // A raw job's subject is its stored message's.
        return new SendJob(1, jobId, from, envelopeFrom, replyTo, to, cc, bcc, raw == null ? subject : null, text, html,
                headers, unsubscribe, attachments, raw == null ? null : new SendJob.RawSource(raw), Map.of(), null);
    }

    /**
     * The job as the real intake accepts it — what composition takes — with no limit a test job could
     * reach, its own sender domains allowed and its own buckets: a test job intake refuses is a
     * broken test.
     */
    public static ParsedJob parsed(SendJob job) {
        return parsed(job, UnsubscribeSupport.none());
    }

    /** {@link #parsed(SendJob)}, with unsubscribe tokens and an endpoint as {@code unsubscribe} says. */
    public static ParsedJob parsed(SendJob job, UnsubscribeSupport unsubscribe) {
        Set<String> senders = new HashSet<>();
        for (String sender : Arrays.asList(job.from(), job.envelopeFrom())) {
            if (sender != null) {
                senders.add(domainOf(sender));
            }
        }
        Set<String> buckets = new HashSet<>();
        job.attachments().stream().filter(a -> a.s3() != null).forEach(a -> buckets.add(a.s3().bucket()));
        if (job.isRaw()) {
            buckets.add(job.raw().s3().bucket());
        }
        JobIntake intake = new JobIntake(new JobLimits(100_000, Integer.MAX_VALUE, 100_000,
                JobLimits.defaults().maxHeaderBytes()), new SenderPolicy(senders), buckets, unsubscribe);
        IntakeResult result = intake.accept(job, job.jobId() == null ? "test-job" : job.jobId());
        if (result instanceof IntakeResult.Rejected rejected) {
            throw new IllegalArgumentException("intake refuses this test job: " + rejected.reason());
        }
        return ((IntakeResult.Accepted) result).parsed();
    }

    /** The job's envelope as intake makes it: the sender (envelopeFrom, else from) and every recipient. */
    public static Envelope envelopeOf(SendJob job) {
        return parsed(job).envelope();
    }

    private static String domainOf(String address) {
        try {
            String parsed = new InternetAddress(address, true).getAddress();
            return IDN.toASCII(parsed.substring(parsed.lastIndexOf('@') + 1)).toLowerCase(Locale.ROOT);
        } catch (AddressException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
