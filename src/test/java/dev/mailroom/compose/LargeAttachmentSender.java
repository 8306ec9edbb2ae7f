package dev.mailroom.compose;

import dev.mailroom.budget.Deadline;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.job.SendJob;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.sign.DkimAlgorithm;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimKeyring;
import dev.mailroom.sign.MessageSigning;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sending half of {@link LargeAttachmentMemoryTest}, run in a child JVM with a heap far smaller
 * than the attachment: it wires the production pipeline the way {@link TestEngines} does (DNS MX
 * resolution, S3 attachment store, composer, MX-mode delivery engine), delivers one job whose
 * attachment is an S3 object, and prints one line starting with {@value #RESULT_PREFIX}:
 *
 * <pre>{@code
 * RESULT outcome=Delivered peakHeapBytes=14680064 maxHeapBytes=32440320 sendMillis=5210 diagnosis=250 2.0.0 OK
 * }</pre>
 *
 * <p>{@code peakHeapBytes} is the sum of the peak usage of every heap memory pool since the JVM
 * started, read after the send. Exit status 0 when the recipient's outcome is {@code Delivered},
 * 1 otherwise.
 *
 * <p>Arguments: S3 endpoint, bucket, key, DNS server port (on 127.0.0.1), SMTP port, recipient, and
 * optionally {@code sign=rsa|ed25519|both}: the engine signs with keys made here for the sender's
 * domain, as delivery does — composition, which now includes DKIM pass one (one more streamed read
 * of the attachment, through the signer), is timed and reported on a line of its own,
 * {@code SIGNED signMillis=3100 keys=2}, and the send is pass two.
 */
public final class LargeAttachmentSender {

    static final String RESULT_PREFIX = "RESULT ";
    static final String SENDER = "Mailroom Memory Test <sender@origin.test>";
    static final String FILENAME = "large.bin";

    private LargeAttachmentSender() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6 && !(args.length == 7 && args[6].matches("sign=(rsa|ed25519|both)"))) {
            System.err.println("usage: LargeAttachmentSender <s3-endpoint> <bucket> <key> <dns-port> <smtp-port> <recipient>"
                    + " [sign=rsa|ed25519|both]");
            System.exit(2);
        }
        URI s3Endpoint = URI.create(args[0]);
        String bucket = args[1];
        String key = args[2];
        int dnsPort = Integer.parseInt(args[3]);
        int smtpPort = Integer.parseInt(args[4]);
        String recipient = args[5];

        SendJob job = TestJobs.from(SENDER).to(recipient).subject("A large attachment")
                .text("The attachment is streamed from S3.")
                .attachS3(FILENAME, "application/octet-stream", bucket, key).build();
        Outcome outcome;
        long sendMillis;
        String sign = args.length == 7 ? args[6].substring("sign=".length()) : "none";
        try (S3Client s3 = S3TestServer.client(s3Endpoint);
             DeliveryEngine engine = engine(s3, dnsPort, smtpPort, keys(sign))) {
            long composing = System.nanoTime();
            Composition composition = engine.compose(TestJobs.parsed(job));
            if (composition instanceof Composition.Ready ready && !ready.signedBy().isEmpty()) {
                System.out.println("SIGNED signMillis=" + Duration.ofNanos(System.nanoTime() - composing).toMillis()
                        + " keys=" + ready.signedBy().size());
            }
            long start = System.nanoTime();
            DeliveryReport report = TestEngines.deliver(engine, composition, TestJobs.envelopeOf(job),
                    Deadline.in(Duration.ofDays(1), Clock.systemUTC()));
            sendMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            outcome = report.resultFor(recipient).outcome();
        }
        System.out.println(RESULT_PREFIX + "outcome=" + outcome.getClass().getSimpleName()
                + " peakHeapBytes=" + peakHeapBytes() + " maxHeapBytes=" + Runtime.getRuntime().maxMemory()
                + " sendMillis=" + sendMillis + " diagnosis=" + outcome.diagnosis());
        System.out.flush();
        // Explicit exit: SDK or JDK helper threads must not keep the child alive.
        System.exit(outcome instanceof Outcome.Delivered ? 0 : 1);
    }

    /** Keys for the sender's domain: an RSA 2048 key, an Ed25519 key, both, or none. */
    private static DkimKeyring keys(String algorithms) {
        List<DkimKey> keys = new ArrayList<>();
        if (algorithms.equals("rsa") || algorithms.equals("both")) {
            keys.add(DkimKey.generate("origin.test", "rsa", DkimAlgorithm.RSA_SHA256, DkimKey.MIN_RSA_BITS));
        }
        if (algorithms.equals("ed25519") || algorithms.equals("both")) {
            keys.add(DkimKey.generate("origin.test", "ed", DkimAlgorithm.ED25519_SHA256, 0));
        }
        return new DkimKeyring(keys);
    }

    private static DeliveryEngine engine(S3Client s3, int dnsPort, int smtpPort, DkimKeyring keys) {
        InetSocketAddress dns = new InetSocketAddress(InetAddress.getLoopbackAddress(), dnsPort);
        // TestEngines' settings, with read/write timeouts long enough for a 100 MiB DATA phase on a busy machine.
        SmtpSettings settings = TestEngines.mxSettings(smtpPort)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(60));
        return new DeliveryEngine(settings, DnsMxResolver.create(List.of(dns), Duration.ofMillis(500)),
                new MessageComposer(new S3AttachmentStore(s3), Clock.systemUTC()),
                new MessageSigning(() -> keys, Clock.systemUTC()), Clock.systemUTC());
    }

    /** Sum of the heap pools' peak usage in bytes (eden, survivors, old generation). */
    private static long peakHeapBytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getPeakUsage)
                .mapToLong(usage -> usage.getUsed())
                .sum();
    }
}
