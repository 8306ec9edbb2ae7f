package dev.mailroom.bench;

import dev.mailroom.testing.DnsTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue §1, engine throughput: messages/s into one smtp-sink, 10 KB messages, one recipient each,
 * at 1 and 10 concurrent sessions — Mailroom's DeliveryEngine (MX mode through a
 * {@link DnsTestServer}, and relay mode) against Postfix's {@code smtp-source}, side by side in one
 * run, interleaved round by round, every figure paired with the smtp-source run of its round.
 *
 * <p>Modes: {@code source}, {@code source-reuse} (smtp-source, -d); {@code engine-mx},
 * {@code engine-relay} (the production engine, connection reuse on) and {@code engine-mx-noreuse},
 * {@code engine-relay-noreuse} (reuse off: a connection per job); {@code engine-mx+PATCH} (the engine
 * with a prototyped change, {@link NoDelayShadow}); {@code angus}, {@code angus-reuse} and their
 * {@code +nodelay} twins (Angus alone, new connection per job or one kept per session:
 * {@link ReusingSender}). Java modes run in worker JVMs ({@link EngineWorker}), warmed up first.
 *
 * <p>Workers run on the production class path ({@link BenchSupport#productionClassPath()}).
 *
 * <p>Arguments (key=value): rounds=5 messages=2000 sessions=1,10 bytes=10240 warmup=500 modes=… jfr=false;
 * {@code engine-mx-rsa}, {@code engine-mx-ed25519} and {@code engine-mx-both} sign (DKIM) as production does.
 */
public final class EngineThroughputBench {

    static final String DEFAULT_MODES = "source,source-reuse,engine-mx,engine-mx-noreuse,engine-relay,"
            + "engine-relay-noreuse,angus+nodelay,angus-reuse+nodelay";

    private EngineThroughputBench() {
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
        int rounds = BenchSupport.intArg(args, "rounds", 5);
        int messages = BenchSupport.intArg(args, "messages", 2000);
        int bytes = BenchSupport.intArg(args, "bytes", 10240);
        int warmup = BenchSupport.intArg(args, "warmup", 500);
        boolean jfr = Boolean.parseBoolean(args.getOrDefault("jfr", "false"));
        List<Integer> sessionCounts = BenchSupport.listArg(args, "sessions", "1,10").stream().map(Integer::parseInt).toList();
        List<String> modes = BenchSupport.listArg(args, "modes", DEFAULT_MODES);
        String machineBefore = BenchSupport.machine();

        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPerMessage = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        StringBuilder log = new StringBuilder();
        try (PostfixTools.Sink sink = PostfixTools.Sink.start(); DnsTestServer dns = DnsTestServer.start()) {
            dns.mx(BenchJobs.RECIPIENT_DOMAIN, 10, "mx." + BenchJobs.RECIPIENT_DOMAIN)
                    .a("mx." + BenchJobs.RECIPIENT_DOMAIN, "127.0.0.1");
            String stockPath = BenchSupport.productionClassPath();
            Map<String, Worker> workers = new LinkedHashMap<>();
            workers.put("", Worker.start("stock", stockPath, sink.port, dns.port(), jfr));
            for (String mode : modes) {
                String prototypes = prototypes(mode);
                if (!workers.containsKey(prototypes)) {
                    String patchedPath = NoDelayShadow.build(Path.of("target/bench/shadow"), List.of(prototypes.split("\\+")))
                            + java.io.File.pathSeparator + stockPath;
                    workers.put(prototypes, Worker.start(prototypes, patchedPath, sink.port, dns.port(), jfr));
                }
            }
            try {
                for (int sessions : sessionCounts) {
                    for (String mode : modes) {
                        if (!mode.startsWith("source")) {
                            workers.get(prototypes(mode)).run(mode, sessions, warmup, bytes); // JIT warm-up
                        }
                    }
                }
                for (int round = 1; round <= rounds; round++) {
                    for (int sessions : sessionCounts) {
                        Map<String, Double> thisRound = new LinkedHashMap<>();
                        for (String mode : modes) {
                            long sinkCpu = sink.cpuMillis();
                            Result result = mode.startsWith("source")
                                    ? source(mode, sessions, messages, bytes, sink)
                                    : workers.get(prototypes(mode)).run(mode, sessions, messages, bytes);
                            double sinkCpuPerMessage = (double) (sink.cpuMillis() - sinkCpu) / messages;
                            String key = mode + " s=" + sessions;
                            rates.computeIfAbsent(key, k -> new ArrayList<>()).add(result.rate());
                            cpuPerMessage.computeIfAbsent(key, k -> new ArrayList<>()).add(result.cpuMillisPerMessage());
                            thisRound.put(mode, result.rate());
                            String line = String.format(Locale.ROOT,
                                    "round %d %-20s sessions=%-2d %8.0f msg/s  %6.3f ms CPU/msg (sender)  %6.3f ms CPU/msg (sink)  failures=%d  connections=%s  load=%s",
                                    round, mode, sessions, result.rate(), result.cpuMillisPerMessage(), sinkCpuPerMessage,
                                    result.failures(), result.connections() < 0 ? "n/a" : String.valueOf(result.connections()),
                                    BenchSupport.loadAverage());
                            System.out.println(line);
                            log.append(line).append('\n');
                        }
                        pairRatios(thisRound, sessions, ratios);
                    }
                }
            } finally {
                workers.values().forEach(Worker::close);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("# Engine throughput (issue §1)\n");
        report.append("machine before: ").append(machineBefore).append('\n');
        report.append("machine after:  ").append(BenchSupport.machine()).append('\n');
        report.append(String.format(Locale.ROOT,
                "rounds=%d messages/run=%d body=%d bytes, one recipient, sink=smtp-sink, warm-up=%d/mode%n%n",
                rounds, messages, bytes, warmup));
        report.append(String.format(Locale.ROOT, "%-28s %10s %10s %10s %14s%n", "mode", "median/s", "min/s", "max/s",
                "CPU ms/msg"));
        rates.forEach((key, values) -> report.append(String.format(Locale.ROOT, "%-28s %10.0f %10.0f %10.0f %14.3f%n",
                key, BenchSupport.median(values), BenchSupport.min(values), BenchSupport.max(values),
                BenchSupport.median(cpuPerMessage.get(key)))));
        report.append("\nratios, paired per round (median [min..max]):\n");
        ratios.forEach((key, values) -> report.append(String.format(Locale.ROOT, "%-44s %.2f [%.2f..%.2f]%n", key,
                BenchSupport.median(values), BenchSupport.min(values), BenchSupport.max(values))));
        report.append("\nruns:\n").append(log);
        BenchSupport.writeReport("engine", report.toString());
        System.exit(0);
    }

    private static void pairRatios(Map<String, Double> round, int sessions, Map<String, List<Double>> ratios) {
        for (Map.Entry<String, Double> entry : round.entrySet()) {
            String mode = entry.getKey();
            if (mode.startsWith("source")) {
                continue;
            }
            boolean reuses = mode.startsWith("angus-reuse") || mode.startsWith("engine") && !mode.contains("-noreuse");
            // Every mode against smtp-source's connection per message; modes that reuse connections also
            // against smtp-source -d, which does too.
            ratio(ratios, round, mode, "source", sessions);
            if (reuses) {
                ratio(ratios, round, mode, "source-reuse", sessions);
            }
        }
        ratio(ratios, round, "engine-mx", "engine-mx-noreuse", sessions);
        // DKIM's cost: each signing mode against the same engine unsigned.
        for (String signed : List.of("engine-mx-rsa", "engine-mx-ed25519", "engine-mx-both")) {
            ratio(ratios, round, signed, "engine-mx", sessions);
        }
        for (String patched : round.keySet()) {
            if (patched.startsWith("engine-mx+")) {
                ratio(ratios, round, patched, "engine-mx", sessions);
            }
        }
    }

    private static void ratio(Map<String, List<Double>> ratios, Map<String, Double> round, String mode, String base,
                              int sessions) {
        if (round.get(mode) != null && round.get(base) != null) {
            ratios.computeIfAbsent(mode + " / " + base + " s=" + sessions, k -> new ArrayList<>())
                    .add(round.get(mode) / round.get(base));
        }
    }

    /** The production patches an engine mode runs with ("" for none); Angus modes set TCP_NODELAY themselves. */
    private static String prototypes(String mode) {
        return mode.startsWith("engine") && mode.contains("+") ? mode.substring(mode.indexOf('+') + 1) : "";
    }

    private static Result source(String mode, int sessions, int messages, int bytes, PostfixTools.Sink sink) {
        PostfixTools.SourceRun run = PostfixTools.source(sink.port, sessions, messages, bytes,
                mode.equals("source-reuse"), "bench@mailroom.test", BenchJobs.RECIPIENT);
        if (run.exitCode() != 0) {
            throw new IllegalStateException("smtp-source failed: " + run.output());
        }
        return new Result(messages, run.seconds(), Math.round((run.userSeconds() + run.systemSeconds()) * 1000), 0,
                mode.equals("source-reuse") ? sessions : messages);
    }

    record Result(int messages, double seconds, long cpuMillis, int failures, int connections) {
        double rate() {
            return messages / seconds;
        }

        double cpuMillisPerMessage() {
            return (double) cpuMillis / messages;
        }
    }

    /** An {@link EngineWorker} JVM and the pipes to it. */
    private record Worker(Process process, PrintWriter commands, BufferedReader replies) implements AutoCloseable {

        static Worker start(String name, String classPath, int sinkPort, int dnsPort, boolean jfr) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
            if (jfr) {
                command.add("-XX:StartFlightRecording=filename=target/bench/engine-" + name + ".jfr,settings=profile");
            }
            command.addAll(List.of("-cp", classPath, EngineWorker.class.getName(), String.valueOf(sinkPort),
                    String.valueOf(dnsPort)));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JDK_JAVA_OPTIONS");
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            Worker worker = new Worker(process,
                    new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8),
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
            worker.await("READY");
            return worker;
        }

        Result run(String mode, int sessions, int messages, int bytes) throws IOException {
            commands.println("run " + mode + " " + sessions + " " + messages + " " + bytes);
            String[] f = await("RESULT").split(" ");
            return new Result(messages, Double.parseDouble(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]));
        }

        private String await(String prefix) throws IOException {
            for (String line = replies.readLine(); line != null; line = replies.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("worker ended without " + prefix);
        }

        @Override
        public void close() {
            commands.println("quit");
            try {
                process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(30), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroy();
        }
    }
}
