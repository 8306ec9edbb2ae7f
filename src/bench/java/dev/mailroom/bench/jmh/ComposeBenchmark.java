package dev.mailroom.bench.jmh;

import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.testing.TestJobs;
import jakarta.activation.DataHandler;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU hot paths of one delivery, without the network: composing and writing a 10 KB message
 * (as a transaction does), creating a Jakarta Mail {@link Session} (what every transaction paid
 * before the engine kept one: AngusSession), base64 encoding (Angus's stream vs the JDK's), and a 1 MiB attachment written
 * through the SMTP DATA stream (base64 + dot-stuffing), the path a large S3 attachment takes.
 *
 * <p>Run: {@code ./mvnw -q -Pbench test-compile exec:exec@jmh} (add -Djmh.args="… ComposeBenchmark.base64").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Thread)
public class ComposeBenchmark {

    private static final int MIB = 1 << 20;

    private MessageComposer composer;
    private ParsedJob job;
    private Session session;
    private byte[] attachment;
    private ClassLoader runtimeLoader;
    private ClassLoader previousLoader;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        composer = new MessageComposer(new NoStore(), Clock.systemUTC());
        StringBuilder text = new StringBuilder();
        while (text.length() < 10240) {
            text.append("The quick brown fox jumps over the lazy dog, again and again, line after line.\n");
        }
        job = TestJobs.parsed(TestJobs.from("Bench <bench@mailroom.test>").to("Ann <ann@example.org>").subject("Your invoice")
                .text(text.toString()).html("<p>" + text + "</p>").header("List-Unsubscribe", "<https://example.com/u/1>")
                .build());
        session = Session.getInstance(new Properties());
        attachment = new byte[MIB];
        new SplittableRandom(1).nextBytes(attachment);
        runtimeLoader = runtimeClassLoader();
    }

    /** compose + the per-transaction SMTPMessage + writing it out: what each delivery does before the wire. */
    @Benchmark
    public void composeAndWriteTextAndHtml10k() throws Exception {
        composer.compose(job).newInstance(session).writeTo(OutputStream.nullOutputStream());
    }

    /** What a Session per transaction cost (now one per engine: AngusSession); on the test class path (~180 jars). */
    @Benchmark
    public Session sessionGetInstanceTestClassPath() {
        return Session.getInstance(new Properties());
    }

    /** The same with only the production runtime jars visible to the context class loader (as in Lambda). */
    @Benchmark
    public Session sessionGetInstanceRuntimeClassPath() {
        Thread thread = Thread.currentThread();
        previousLoader = thread.getContextClassLoader();
        thread.setContextClassLoader(runtimeLoader);
        try {
            return Session.getInstance(new Properties());
        } finally {
            thread.setContextClassLoader(previousLoader);
        }
    }

    /** Angus's BASE64EncoderStream (what MimeBodyPart uses), 1 MiB. */
    @Benchmark
    public void base64AngusOneMiB() throws Exception {
        try (OutputStream out = MimeUtility.encode(OutputStream.nullOutputStream(), "base64")) {
            out.write(attachment);
        }
    }

    /** The JDK's MIME base64 encoder (76-character lines, CRLF), 1 MiB. */
    @Benchmark
    public void base64JdkOneMiB() throws Exception {
        try (OutputStream out = Base64.getMimeEncoder().wrap(OutputStream.nullOutputStream())) {
            out.write(attachment);
        }
    }

    /** A 1 MiB attachment part through the SMTP DATA stream (base64, CRLF and dot-stuffing, 8 KiB buffer), streamed from a source. */
    @Benchmark
    public void attachmentPartThroughSmtpStreamOneMiB() throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new StreamingSource(attachment)));
        part.setHeader("Content-Transfer-Encoding", "base64");
        part.setDisposition(Part.ATTACHMENT);
        part.setFileName("large.bin");
        try (OutputStream out = new SMTPOutputStream(new BufferedOutputStream(OutputStream.nullOutputStream()))) {
            part.writeTo(out);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (runtimeLoader instanceof URLClassLoader loader) {
            loader.close();
        }
    }

    /** target/classes + the runtime jars, parent the platform loader: what a Lambda's class path can see. */
    private static ClassLoader runtimeClassLoader() throws IOException {
        Path file = Path.of("target/bench/runtime.classpath");
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of("target/classes").toUri().toURL());
        if (Files.exists(file)) {
            for (String entry : Files.readString(file).trim().split(File.pathSeparator)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new RuntimeResources(urls.toArray(URL[]::new), ComposeBenchmark.class.getClassLoader());
    }

    /**
     * Resources (what Session scans: META-INF/javamail.*, META-INF/services/*) only from the runtime
     * jars; classes from the application loader, so that service implementations stay assignable.
     */
    private static final class RuntimeResources extends URLClassLoader {
        private final ClassLoader classes;

        RuntimeResources(URL[] urls, ClassLoader classes) {
            super(urls, null);
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return classes.loadClass(name);
        }

        @Override
        public URL getResource(String name) {
            return findResource(name);
        }

        @Override
        public java.util.Enumeration<URL> getResources(String name) throws IOException {
            return findResources(name);
        }
    }

    private static final class NoStore implements AttachmentStore {
        @Override
        public long size(S3Location location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream open(S3Location location) {
            throw new UnsupportedOperationException();
        }
    }

    /** A data source read as a stream, as StoredDataSource reads GetObject. */
    private static final class StreamingSource extends ByteArrayDataSource {
        private final byte[] bytes;

        StreamingSource(byte[] bytes) {
            super(new byte[0], "application/octet-stream");
            this.bytes = bytes;
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(bytes);
        }
    }
}
