package dev.mailroom.bench;

import dev.mailroom.sign.DkimAlgorithm;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimKeyring;
import dev.mailroom.sign.MessageSigning;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.deliver.ConnectionReuse;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.Relay;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.deliver.TlsPolicy;
import dev.mailroom.job.Envelope;
import dev.mailroom.job.SendJob;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import jakarta.mail.internet.InternetAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sending side of {@link EngineThroughputBench}, in its own JVM so that its CPU time is its own
 * and so that a second worker can run with a patched class in front of the class path. Reads
 * {@code run MODE SESSIONS MESSAGES BYTES} lines on stdin, answers each with one
 * {@code RESULT seconds cpuMillis failures connections} line; {@code quit} ends it.
 *
 * <p>Arguments: smtp-sink port, DNS server port (127.0.0.1).
 */
public final class EngineWorker {

    private EngineWorker() {
    }

    public static void main(String[] args) throws Exception {
        int sinkPort = Integer.parseInt(args[0]);
        InetSocketAddress dns = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            String[] f = line.trim().split(" ");
            String result = run(f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]), sinkPort, dns);
            System.out.println(result);
            System.out.flush();
        }
        System.exit(0);
    }

    static String run(String mode, int sessions, int messages, int bytes, int sinkPort, InetSocketAddress dns)
            throws Exception {
        SendJob job = BenchJobs.job("bench-1", bytes);
        Envelope envelope = TestJobs.envelopeOf(job);
        List<InternetAddress> recipients = envelope.recipients();
        MessageComposer composer = new MessageComposer(new BenchJobs.NoAttachments(), Clock.systemUTC());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(sessions);
        DeliveryEngine engine = mode.startsWith("engine") ? engine(mode, sessions, sinkPort, dns) : null;
        boolean reuse = mode.startsWith("angus-reuse");
        boolean noDelay = mode.endsWith("+nodelay");
        long cpu = processCpuMillis();
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < sessions; w++) {
                running.add(workers.submit(() -> {
                    if (engine != null) {
                        while (next.getAndIncrement() < messages) {
                            DeliveryReport report = TestEngines.send(engine, job, envelope);
                            if (!(report.results().get(0).outcome() instanceof Outcome.Delivered)) {
                                failures.incrementAndGet();
                            }
                        }
                    } else {
                        InternetAddress[] to = recipients.toArray(InternetAddress[]::new);
                        try (ReusingSender sender = new ReusingSender(composer, "127.0.0.1", sinkPort, reuse, noDelay)) {
                            while (next.getAndIncrement() < messages) {
                                if (!sender.send(job, to, "bench@mailroom.test")) {
                                    failures.incrementAndGet();
                                }
                            }
                            connections.addAndGet(sender.connections);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } finally {
            workers.shutdownNow();
            if (engine != null) {
                engine.close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // The engine does not count its connections (-1: unknown); the tests prove its reuse.
        return String.format(Locale.ROOT, "RESULT %.6f %d %d %d", seconds, processCpuMillis() - cpu, failures.get(),
                engine != null ? -1 : connections.get());
    }

    /**
     * Production defaults (connection reuse on) but plain text (smtp-sink offers no STARTTLS) and as
     * many transactions in flight as sessions; {@code -noreuse} modes switch reuse off. The mode's
     * signing suffix, {@code -rsa}, {@code -ed25519} or {@code -both}, signs with a 2048-bit RSA key, an
     * Ed25519 key or both for the sender's domain, as production does; without one nothing is signed.
     */
    private static DeliveryEngine engine(String mode, int sessions, int port, InetSocketAddress dns) {
        SmtpSettings defaults = mode.startsWith("engine-relay")
                ? SmtpSettings.relay("bench.mailroom.test", new Relay("127.0.0.1", port, false, null, null))
                : SmtpSettings.mx("bench.mailroom.test");
        SmtpSettings settings = new SmtpSettings(port, defaults.heloName(), TlsPolicy.NONE, null,
                defaults.connectTimeout(), defaults.readTimeout(), defaults.writeTimeout(),
                defaults.maxRecipientsPerTransaction(), Math.max(sessions, defaults.maxParallelTransactions()),
                defaults.relay());
        if (mode.contains("-noreuse")) {
            settings = settings.withConnectionReuse(ConnectionReuse.DISABLED);
        }
        MessageComposer composer = new MessageComposer(new BenchJobs.NoAttachments(), Clock.systemUTC());
        return new DeliveryEngine(settings, DnsMxResolver.create(List.of(dns), Duration.ofSeconds(2)), composer,
                signing(mode), Clock.systemUTC());
    }

    static MessageSigning signing(String mode) {
        String domain = BenchJobs.SENDER.substring(BenchJobs.SENDER.indexOf('@') + 1, BenchJobs.SENDER.length() - 1);
        List<DkimKey> keys = new ArrayList<>();
        if (mode.contains("-rsa") || mode.contains("-both")) {
            keys.add(DkimKey.generate(domain, "bench-rsa", DkimAlgorithm.RSA_SHA256, DkimKey.MIN_RSA_BITS));
        }
        if (mode.contains("-ed25519") || mode.contains("-both")) {
            keys.add(DkimKey.generate(domain, "bench-ed25519", DkimAlgorithm.ED25519_SHA256, 0));
        }
        DkimKeyring keyring = new DkimKeyring(keys);
        return new MessageSigning(() -> keyring, Clock.systemUTC());
    }

    private static long processCpuMillis() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime() / 1_000_000;
    }
}
