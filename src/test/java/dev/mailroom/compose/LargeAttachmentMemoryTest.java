package dev.mailroom.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMultipart;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat however large an S3 attachment is: a 100 MiB attachment is delivered by a
 * child JVM whose whole heap is a third of that, so the bytes can only have been streamed from
 * GetObject into the SMTP DATA stream. The parent JVM runs the servers (S3Proxy on jclouds'
 * filesystem store, DNS, SMTP writing to disk), so no copy of the attachment lives on a heap.
 */
class LargeAttachmentMemoryTest {

    private static final long ATTACHMENT_BYTES = 100L * 1024 * 1024;
    /** The child's -Xmx: the JVM and the SDK fit, a buffered attachment cannot. */
    private static final long CHILD_MAX_HEAP_BYTES = 32L * 1024 * 1024;
    private static final long CHILD_TIMEOUT_SECONDS = 180;
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final String BUCKET = "attachments";
    private static final String KEY = "memory-test/large.bin";
    private static final String RECIPIENT = "rcpt@memory.test";
    private static final Pattern RESULT = Pattern.compile(
            "^RESULT outcome=(\\w+) peakHeapBytes=(\\d+) maxHeapBytes=(\\d+) sendMillis=(\\d+) diagnosis=(.*)$",
            Pattern.MULTILINE);

    @TempDir
    Path tempDir;

    private record Fingerprint(long bytes, String sha256) {
    }

    private record ChildRun(int exitCode, String output) {
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void deliverShouldSignAndStreamAHundredMebibyteAttachmentWhenTheSenderHeapIsAThirdOfIt() throws Exception {
        // Given: a 100 MiB object in S3 and an MX for the recipient's domain
        S3TestServer s3 = S3TestServer.start(Files.createDirectory(tempDir.resolve("s3")));
        try (DnsTestServer dns = DnsTestServer.start(); SmtpTestServer smtp = SmtpTestServer.builder().start()) {
            dns.mx("memory.test", 10, "mx.memory.test").a("mx.memory.test", smtp.host());
            Path source = tempDir.resolve("large.bin");
            Fingerprint uploaded = writePseudoRandomFile(source, ATTACHMENT_BYTES);
            s3.put(BUCKET, KEY, source);
            Files.delete(source);

            // When: a child JVM with a 32 MiB heap sends it
            long start = System.nanoTime();
            ChildRun child = runSender(s3.endpoint(), dns.port(), smtp.port());
            long childMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            // Then: signed (RSA and Ed25519: pass one read it all), delivered byte for byte, without the heap
            // ever holding the attachment
            assertThat(child.exitCode()).as("child exit code; output:%n%s", child.output()).isZero();
            assertThat(child.output()).contains("SIGNED signMillis=").contains("keys=2");
            Matcher result = RESULT.matcher(child.output());
            assertThat(result.find()).as("result line in child output:%n%s", child.output()).isTrue();
            assertThat(result.group(1)).as(result.group(5)).isEqualTo("Delivered");
            long peakHeap = Long.parseLong(result.group(2));
            System.out.printf("LargeAttachmentMemoryTest: child peak heap %d bytes (%.1f MiB) of -Xmx %d MiB; "
                            + "send %s ms, child JVM %d ms%n", peakHeap, peakHeap / 1048576.0,
                    CHILD_MAX_HEAP_BYTES >> 20, result.group(4), childMillis);
            assertThat(peakHeap).isPositive().isLessThan(CHILD_MAX_HEAP_BYTES);

            List<SmtpTestServer.ReceivedMessage> received = smtp.received();
            assertThat(received).hasSize(1);
            assertThat(received.get(0).recipients()).containsExactly(RECIPIENT);
            assertThat(received.get(0).headerBlock()).startsWith("DKIM-Signature: v=1; a=rsa-sha256;")
                    .contains("DKIM-Signature: v=1; a=ed25519-sha256;");
            assertThat(attachmentAsReceived(received.get(0))).isEqualTo(uploaded);
        } finally {
            s3.stop();
        }
    }

    /** Writes {@code bytes} of seeded pseudo-random data one chunk at a time, hashing as it goes. */
    private static Fingerprint writePseudoRandomFile(Path file, long bytes) throws IOException {
        MessageDigest sha256 = sha256();
        SplittableRandom random = new SplittableRandom(20240611L);
        byte[] chunk = new byte[CHUNK_BYTES];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
            for (long written = 0; written < bytes; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
        return new Fingerprint(Files.size(file), HexFormat.of().formatHex(sha256.digest()));
    }

    /** Decodes the attachment part from the stored .eml while hashing it; the content stays on disk. */
    private static Fingerprint attachmentAsReceived(SmtpTestServer.ReceivedMessage message)
            throws IOException, MessagingException {
        MimeMultipart mixed = (MimeMultipart) message.parse().getContent();
        BodyPart attachment = null;
        for (int i = 0; i < mixed.getCount(); i++) {
            if (Part.ATTACHMENT.equalsIgnoreCase(mixed.getBodyPart(i).getDisposition())) {
                attachment = mixed.getBodyPart(i);
            }
        }
        assertThat(attachment).as("attachment part").isNotNull();
        assertThat(attachment.getFileName()).isEqualTo(LargeAttachmentSender.FILENAME);
        MessageDigest sha256 = sha256();
        long bytes;
        try (InputStream in = new DigestInputStream(attachment.getInputStream(), sha256)) {
            bytes = in.transferTo(OutputStream.nullOutputStream());
        }
        return new Fingerprint(bytes, HexFormat.of().formatHex(sha256.digest()));
    }

    private ChildRun runSender(URI s3Endpoint, int dnsPort, int smtpPort) throws IOException, InterruptedException {
        Path log = tempDir.resolve("sender.log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (CHILD_MAX_HEAP_BYTES >> 20) + "m",
                "-XX:+UseSerialGC",
                // An OutOfMemoryError anywhere (even one a library swallows) ends the child with a failure.
                "-XX:+ExitOnOutOfMemoryError",
                "-cp", testClassPath(),
                LargeAttachmentSender.class.getName(),
                s3Endpoint.toString(), BUCKET, KEY, String.valueOf(dnsPort), String.valueOf(smtpPort), RECIPIENT,
                "sign=both")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Only the flags above may govern the child: the JVM would also apply options found in these variables.
        Map<String, String> environment = builder.environment();
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("JDK_JAVA_OPTIONS");
        environment.remove("_JAVA_OPTIONS");
        Process process = builder.start();
        if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish within " + CHILD_TIMEOUT_SECONDS + " s; output:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new ChildRun(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * The test class path. Surefire may run tests from a manifest-only booter jar; it then sets
     * {@code surefire.test.class.path} (and {@code java.class.path}) to the real entries.
     */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String classPath = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        assertThat(classPath.split(File.pathSeparator)).as("test class path").hasSizeGreaterThan(1);
        return classPath;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
