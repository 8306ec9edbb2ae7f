package dev.mailroom.bench;

import dev.mailroom.testing.TestKeys;
import dev.mailroom.ledger.DynamoDbLedger;
import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.LedgerTable;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.SmtpTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue §4, cold start: a fresh JVM ({@link ColdStartProbe}) on the production class path
 * (target/classes and the runtime-scope jars, as a Lambda deployment would ship; plus the probe),
 * environment pointing at the emulators; time from process launch to the first job DELIVERED, split
 * into JVM boot, Mailroom wiring and the first handleRequest, with class loading, class init and
 * JIT time from the JVM's perf counters (jcmd PerfCounter.print). Variants run interleaved, round by
 * round: JVM flags (TieredStopAtLevel=1, AppCDS as a SnapStart stand-in) and wiring (lazy clients,
 * priming as a CRaC beforeCheckpoint hook would).
 *
 * <p>The classes directories are jarred first (AppCDS archives jars only), for every variant alike.
 *
 * <p>Arguments (key=value): rounds=5 variants=default,tiered1,appcds,appcds+tiered1,lazy,primed
 */
public final class ColdStartBench {

    private static final String DEFAULT_VARIANTS = "default,tiered1,appcds,appcds+tiered1,lazy,primed";
    private static final List<String> BASE_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx512m");

    private ColdStartBench() {
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
        List<String> variants = BenchSupport.listArg(args, "variants", DEFAULT_VARIANTS);
        String machineBefore = BenchSupport.machine();
        Path work = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")));
        // CDS archives only jars (a non-empty directory on the class path makes the dump fail): jar the classes.
        String classPath = BenchSupport.productionClassPath()
                .replace("target/test-classes", jar(work, "target/test-classes", "mailroom-bench.jar"))
                .replace("target/classes", jar(work, "target/classes", "mailroom.jar"));
        Path archive = work.resolve("coldstart-appcds.jsa");

        AwsTestStack stack = AwsTestStack.shared();
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        StringBuilder log = new StringBuilder();
        try (DnsTestServer dns = DnsTestServer.start(); SmtpTestServer smtp = SmtpTestServer.builder().start()) {
            dns.mx(BenchJobs.RECIPIENT_DOMAIN, 10, "mx." + BenchJobs.RECIPIENT_DOMAIN)
                    .a("mx." + BenchJobs.RECIPIENT_DOMAIN, smtp.host());
            Map<String, String> env = environment(stack, dns, smtp.port());
            DynamoDbLedger ledger = new DynamoDbLedger(stack.dynamo(), env.get("MAILROOM_TABLE"), Duration.ofDays(1));
            if (variants.stream().anyMatch(v -> v.contains("appcds"))) {
                Files.deleteIfExists(archive);
                Run training = launch(classPath, env, "eager", List.of("-XX:ArchiveClassesAtExit=" + archive), "train");
                System.out.println("AppCDS training run: " + training.summary() + " → " + archive + " ("
                        + Files.size(archive) / 1024 / 1024 + " MiB)");
            }
            for (int round = 1; round <= rounds; round++) {
                for (String variant : variants) {
                    List<String> flags = new ArrayList<>();
                    if (variant.contains("tiered1")) {
                        flags.add("-XX:TieredStopAtLevel=1");
                    }
                    if (variant.contains("appcds")) {
                        flags.add("-XX:SharedArchiveFile=" + archive);
                    }
                    String mode = variant.endsWith("primed") ? "primed" : variant.equals("lazy") ? "lazy" : "eager";
                    Run run = launch(classPath, env, mode, flags, variant + "-" + round);
                    String status = ledger.find(run.firstJobId()).map(JobRecord::status).map(Enum::name).orElse("MISSING");
                    String line = String.format(Locale.ROOT, "round %d %-16s %s ledger=%s load=%s", round, variant,
                            run.summary(), status, BenchSupport.loadAverage());
                    System.out.println(line);
                    log.append(line).append('\n');
                    runs.computeIfAbsent(variant, k -> new ArrayList<>()).add(run);
                }
            }
        }
        StringBuilder report = new StringBuilder("# Cold start: JVM launch to first job delivered by SendHandler (issue §4)\n");
        report.append("machine before: ").append(machineBefore).append('\n');
        report.append("machine after:  ").append(BenchSupport.machine()).append('\n');
        report.append("child class path: target/classes + runtime-scope jars (+ bench/test classes for the probe); base flags ")
                .append(BASE_FLAGS).append("; medians of ").append(rounds).append(" rounds, ms\n\n");
        report.append(String.format(Locale.ROOT, "%-16s %7s %7s %7s %7s %7s %8s %8s %8s %8s %7s %7s%n", "variant", "total",
                "jvm", "wiring", "1st job", "2nd job", "classes", "cls.load", "cls.init", "JIT", "priming", "CPU"));
        Run baseline = null;
        for (Map.Entry<String, List<Run>> entry : runs.entrySet()) {
            List<Run> list = entry.getValue();
            report.append(String.format(Locale.ROOT, "%-16s %7.0f %7.0f %7.0f %7.0f %7.0f %8.0f %8.0f %8.0f %8.0f %7.0f %7.0f%n",
                    entry.getKey(), med(list, Run::total), med(list, Run::jvm), med(list, Run::wiring),
                    med(list, Run::firstJob), med(list, Run::secondJob), med(list, r -> (double) r.classes()),
                    med(list, Run::classLoadMillis), med(list, Run::classInitMillis), med(list, Run::jitMillis),
                    med(list, Run::priming), med(list, Run::cpuMillis)));
        }
        List<Run> defaults = runs.get("default");
        if (defaults != null) {
            report.append("\nratios to default (median total):\n");
            double base = med(defaults, Run::total);
            runs.forEach((variant, list) -> report.append(String.format(Locale.ROOT, "  %-16s %.2f%n", variant,
                    med(list, Run::total) / base)));
            report.append(String.format(Locale.ROOT,
                    "%nshare of default's total: class loading %.0f%%, class init (<clinit>, inclusive) %.0f%%, "
                            + "wiring (SendWiring construction) %.0f%%, first handleRequest %.0f%%, JVM boot to main %.0f%%%n",
                    100 * med(defaults, Run::classLoadMillis) / base, 100 * med(defaults, Run::classInitMillis) / base,
                    100 * med(defaults, Run::wiring) / base, 100 * med(defaults, Run::firstJob) / base,
                    100 * med(defaults, Run::jvm) / base));
        }
        report.append("\ncolumns: total = process launch → first job DELIVERED; jvm = launch → main(); wiring = new SendHandler(); "
                + "1st job = first handleRequest; 2nd job = a second handleRequest (warm); cls.load/cls.init/JIT = sun.cls.time, "
                + "sun.cls.classInitTime, java.ci.totalTime at exit (overlapping, not additive); priming = the primed variant's "
                + "hook, paid before a snapshot; CPU = the child's user+system CPU through both jobs (all threads: JIT, GC)\n\nruns:\n").append(log);
        BenchSupport.writeReport("coldstart", report.toString());
        System.exit(0);
    }

    private static String jar(Path work, String directory, String name) {
        Path jar = work.resolve(name);
        int status = java.util.spi.ToolProvider.findFirst("jar").orElseThrow()
                .run(System.out, System.err, "--create", "--file", jar.toString(), "-C", directory, ".");
        if (status != 0) {
            throw new IllegalStateException("could not jar " + directory);
        }
        return jar.toString();
    }

    private static double med(List<Run> runs, java.util.function.ToDoubleFunction<Run> metric) {
        return BenchSupport.median(runs.stream().map(metric::applyAsDouble).toList());
    }

    private static Map<String, String> environment(AwsTestStack stack, DnsTestServer dns, int smtpPort) {
        String bucket = stack.uniqueName("cold-attachments");
        stack.s3().createBucket(b -> b.bucket(bucket));
        String table = stack.uniqueName("cold-ledger");
        LedgerTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        String dlq = stack.createQueue(stack.uniqueName("cold-dlq"));
        String queue = stack.createQueue(stack.uniqueName("cold-send"), Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"));
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_QUEUE_URL", queue);
        env.put("MAILROOM_DLQ_URL", dlq);
        env.put("MAILROOM_TABLE", table);
        env.put("MAILROOM_ATTACHMENT_BUCKETS", bucket);
        String archive = stack.uniqueName("cold-archive");
        stack.s3().createBucket(b -> b.bucket(archive));
        env.put("MAILROOM_ARCHIVE_BUCKET", archive);
        env.put("MAILROOM_ALLOWED_SENDER_DOMAINS", "mailroom.test");
        env.put("MAILROOM_KEYS", TestKeys.document("mailroom.test"));  // signed, as a deployment is
        env.put("MAILROOM_HELO_NAME", "bench.mailroom.test");
        env.put("MAILROOM_SMTP_PORT", Integer.toString(smtpPort));
        env.put("MAILROOM_DNS_SERVERS", "127.0.0.1:" + dns.port());
        env.put("MAILROOM_SQS_ENDPOINT", stack.sqsEndpoint().toString());
        env.put("MAILROOM_S3_ENDPOINT", stack.s3Endpoint().toString());
        env.put("MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString());
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    record Run(String firstJobId, long launch, Map<String, Long> result, Map<String, Double> counters) {
        double jvm() {
            return result.get("main") - launch;
        }

        double wiring() {
            return result.get("constructed") - result.get("main");
        }

        double priming() {
            return result.get("primed") < 0 ? 0 : result.get("primed") - result.get("constructed");
        }

        double firstJob() {
            long from = result.get("primed") < 0 ? result.get("constructed") : result.get("primed");
            return result.get("firstDone") - from;
        }

        /** Launch to first job delivered, priming excluded (a snapshot would have it done already). */
        double total() {
            return result.get("firstDone") - launch - priming();
        }

        double secondJob() {
            return result.get("secondDone") - result.get("firstDone");
        }

        long classes() {
            return result.get("classes");
        }

        double classLoadMillis() {
            return ticksToMillis("sun.cls.time");
        }

        double classInitMillis() {
            return ticksToMillis("sun.cls.classInitTime");
        }

        /** User + system CPU of the child through both jobs (read while it idles). */
        double cpuMillis() {
            return counters.getOrDefault("cpuMillis", Double.NaN);
        }

        double jitMillis() {
            return ticksToMillis("java.ci.totalTime");
        }

        private double ticksToMillis(String counter) {
            Double ticks = counters.get(counter);
            Double frequency = counters.get("sun.os.hrt.frequency");
            return ticks == null || frequency == null ? Double.NaN : ticks / frequency * 1000;
        }

        String summary() {
            return String.format(Locale.ROOT,
                    "total %5.0f ms (jvm %4.0f, wiring %4.0f, 1st job %4.0f; 2nd job %4.0f; priming %4.0f) classes=%d cls.load=%.0f ms cls.init=%.0f ms JIT=%.0f ms CPU=%.0f ms failures=%d",
                    total(), jvm(), wiring(), firstJob(), secondJob(), priming(), classes(), classLoadMillis(),
                    classInitMillis(), jitMillis(), cpuMillis(), result.get("failures"));
        }
    }

    private static Run launch(String classPath, Map<String, String> env, String mode, List<String> flags, String tag)
            throws IOException, InterruptedException {
        String first = "cold-" + tag + "-1";
        String second = "cold-" + tag + "-2";
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(BASE_FLAGS);
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, ColdStartProbe.class.getName(), mode,
                BenchJobs.json(first, "mailroom.test", 10240), first, BenchJobs.json(second, "mailroom.test", 10240), second));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("MAILROOM_") || name.startsWith("AWS_")
                || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS"));
        builder.environment().putAll(env);
        long launch = System.currentTimeMillis();
        Process process = builder.start();
        Map<String, Long> result = new HashMap<>();
        Map<String, Double> counters = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    for (String field : line.substring(7).split(" ")) {
                        String[] kv = field.split("=");
                        result.put(kv[0], Long.parseLong(kv[1]));
                    }
                    counters = perfCounters(result.get("pid"));
                    counters.put("cpuMillis", (double) BenchSupport.processCpuMillis(result.get("pid")));
                    in.println("done");
                    break;
                }
            }
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        if (!result.containsKey("firstDone")) {
            throw new IllegalStateException("cold-start child " + tag + " gave no result (exit " + process.exitValue() + ")");
        }
        return new Run(first, launch, result, counters);
    }

    private static Map<String, Double> perfCounters(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), "PerfCounter.print").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        Map<String, Double> counters = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                try {
                    counters.put(line.substring(0, eq).trim(), Double.parseDouble(line.substring(eq + 1).trim()));
                } catch (NumberFormatException e) {
                    // a string counter
                }
            }
        }
        return counters;
    }
}
