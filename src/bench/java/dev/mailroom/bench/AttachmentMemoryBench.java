package dev.mailroom.bench;

import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue §3, memory: peak heap and peak RSS of a child JVM ({@code LargeAttachmentSender}, the
 * production wiring: DNS MX, S3 attachment store, composer, MX-mode engine) delivering one job with
 * a 10 MB, 100 MB and 1 GB S3 attachment. The parent runs S3Proxy on jclouds' filesystem store,
 * the DNS server and an SMTP server that streams to disk, so no copy of the attachment lives on a
 * heap; every file is deleted afterwards. The child's -Xmx is the target (64 MB): a buffered
 * attachment could not fit, and -XX:+ExitOnOutOfMemoryError turns any OOM into a failure.
 *
 * <p>With {@code sign=none,both} (or rsa, ed25519) each size is also sent after DKIM pass one over the
 * same message ({@code LargeAttachmentSender}'s {@code sign=}): the row adds pass one's time, and
 * the peak heap covers both passes.
 *
 * <p>Arguments (key=value): sizes=10m,100m,1g xmx=64m gc=serial|g1 sign=none dir=(a temp dir)
 */
public final class AttachmentMemoryBench {

    private static final Pattern RESULT = Pattern.compile(
            "RESULT outcome=(\\w+) peakHeapBytes=(\\d+) maxHeapBytes=(\\d+) sendMillis=(\\d+) diagnosis=(.*)");
    private static final Pattern SIGNED = Pattern.compile("SIGNED signMillis=(\\d+)");
    private static final String BUCKET = "attachments";
    private static final String RECIPIENT = "rcpt@memory.test";

    private AttachmentMemoryBench() {
    }

    public static void main(String[] argv) {
        try {
            run(argv);
        } catch (Throwable e) {
            // The emulators' threads would keep the JVM alive: fail and end.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] argv) throws Exception {
        Map<String, String> args = BenchSupport.arguments(argv);
        List<String> sizes = BenchSupport.listArg(args, "sizes", "10m,100m,1g");
        String xmx = args.getOrDefault("xmx", "64m");
        List<String> gcs = BenchSupport.listArg(args, "gc", "serial");
        List<String> signs = BenchSupport.listArg(args, "sign", "none");
        String machineBefore = BenchSupport.machine();
        Path dir = args.containsKey("dir") ? Files.createDirectories(Path.of(args.get("dir")))
                : Files.createTempDirectory("mailroom-bench-memory-");
        List<String> rows = new ArrayList<>();
        S3TestServer s3 = S3TestServer.start(Files.createDirectories(dir.resolve("s3")));
        try (DnsTestServer dns = DnsTestServer.start()) {
            for (String size : sizes) {
                long bytes = parseSize(size);
                Path source = dir.resolve("attachment-" + size + ".bin");
                writePseudoRandom(source, bytes);
                String key = "memory/" + size + ".bin";
                s3.put(BUCKET, key, source);
                Files.delete(source);
                for (String gc : gcs) {
                    for (String sign : signs) {
                        try (SmtpTestServer smtp = SmtpTestServer.builder().start()) {
                            dns.reset();
                            dns.mx("memory.test", 10, "mx.memory.test").a("mx.memory.test", smtp.host());
                            String row = runChild(s3, key, new Child(dns.port(), smtp.port(), xmx, gc, sign), size, bytes);
                            System.out.println(row);
                            rows.add(row);
                        } // closing the server deletes the received .eml
                    }
                }
                s3.client().deleteObject(b -> b.bucket(BUCKET).key(key));
            }
        } finally {
            s3.stop();
            deleteTree(dir);
        }
        StringBuilder report = new StringBuilder("# Memory while delivering one large S3 attachment (issue §3)\n");
        report.append("machine before: ").append(machineBefore).append('\n');
        report.append("machine after:  ").append(BenchSupport.machine()).append('\n');
        report.append("child: LargeAttachmentSender, -Xmx").append(xmx)
                .append(" -XX:+ExitOnOutOfMemoryError; peak heap = sum of heap pools' peak usage; peak RSS = VmHWM\n\n");
        rows.forEach(row -> report.append(row).append('\n'));
        BenchSupport.writeReport("memory", report.toString());
        System.exit(0);
    }

    /** How one child runs: the servers it sends through, its heap and collector, and whether it signs first. */
    private record Child(int dnsPort, int smtpPort, String xmx, String gc, String sign) {
    }

    private static String runChild(S3TestServer s3, String key, Child child, String size, long bytes)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("memory-child", ".log");
        String gc = child.gc();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + child.xmx(),
                gc.equals("g1") ? "-XX:+UseG1GC" : "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), "dev.mailroom.compose.LargeAttachmentSender",
                s3.endpoint().toString(), BUCKET, key, String.valueOf(child.dnsPort()), String.valueOf(child.smtpPort()),
                RECIPIENT));
        if (!child.sign().equals("none")) {
            command.add("sign=" + child.sign());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        long start = System.nanoTime();
        Process process = builder.start();
        long peakRssKb = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
            peakRssKb = Math.max(peakRssKb, BenchSupport.statusKb(process.pid(), "VmHWM"));
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("child did not finish in 30 minutes");
            }
        }
        double childSeconds = (System.nanoTime() - start) / 1e9;
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        Matcher result = RESULT.matcher(output);
        if (process.exitValue() != 0 || !result.find()) {
            return String.format(Locale.ROOT, "%-5s gc=%-6s sign=%-7s FAILED exit=%d output: %s", size, gc, child.sign(),
                    process.exitValue(), output.length() > 2000 ? output.substring(0, 2000) : output);
        }
        long peakHeap = Long.parseLong(result.group(2));
        long sendMillis = Long.parseLong(result.group(4));
        Matcher signed = SIGNED.matcher(output);
        String signing = signed.find() ? String.format(Locale.ROOT, "pass one %7.1f s  ", Long.parseLong(signed.group(1)) / 1000.0)
                : "";
        return String.format(Locale.ROOT,
                "%-5s gc=%-6s sign=%-7s %-9s peak heap %6.1f MiB of max %5.1f MiB  peak RSS %6.1f MiB  %ssend %7.1f s (%6.1f MiB/s attachment)  child JVM %6.1f s  load=%s",
                size, gc, child.sign(), result.group(1), peakHeap / 1048576.0, Long.parseLong(result.group(3)) / 1048576.0,
                peakRssKb / 1024.0, signing, sendMillis / 1000.0, bytes / 1048576.0 / (sendMillis / 1000.0), childSeconds,
                BenchSupport.loadAverage());
    }

    static long parseSize(String size) {
        String s = size.toLowerCase(Locale.ROOT);
        long unit = s.endsWith("g") ? 1L << 30 : s.endsWith("m") ? 1L << 20 : s.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }

    private static void writePseudoRandom(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(20240611L);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < bytes; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
