package dev.mailroom.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What every benchmark main shares: arguments, the machine's description, statistics, result files. */
final class BenchSupport {

    private BenchSupport() {
    }

    /** {@code key=value} tokens (a single argument may hold several, separated by spaces). */
    static Map<String, String> arguments(String[] args) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String arg : args) {
            for (String token : arg.trim().split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    parsed.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
        }
        return parsed;
    }

    static int intArg(Map<String, String> args, String name, int fallback) {
        return args.containsKey(name) ? Integer.parseInt(args.get(name)) : fallback;
    }

    static List<String> listArg(Map<String, String> args, String name, String fallback) {
        return Arrays.asList(args.getOrDefault(name, fallback).split(","));
    }

    /** nproc, CPU model, JDK and the load average now: the context every figure needs. */
    static String machine() {
        String model = "unknown";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
        } catch (IOException e) {
            // keep "unknown"
        }
        return String.format(Locale.ROOT, "nproc=%d cpu=\"%s\" jdk=%s (%s) load=\"%s\"",
                Runtime.getRuntime().availableProcessors(), model, System.getProperty("java.version"),
                System.getProperty("java.vm.name"), loadAverage());
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The production class path — target/classes and the runtime-scope jars (written by the bench
     * profile's dependency:build-classpath), as a Lambda deployment ships them — plus
     * target/test-classes for the bench's own entry points. Jakarta Mail scans every jar of the
     * class path when a Session is created, so the test class path (S3Proxy, jclouds, ElasticMQ …)
     * would make SMTP sessions look dearer than they are in production.
     */
    static String productionClassPath() {
        Path runtime = Path.of(System.getProperty("bench.dir", "target/bench"), "runtime.classpath");
        try {
            return String.join(java.io.File.pathSeparator, "target/classes", "target/test-classes",
                    Files.readString(runtime).trim());
        } catch (IOException e) {
            throw new IllegalStateException(runtime + " is missing: run through the bench profile (test-compile)", e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Utime + stime of a process in milliseconds, from /proc (0 when it is gone). */
    static long processCpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A line of {@code /proc/<pid>/status} in kB, e.g. VmHWM; -1 when unreadable. */
    static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Prints the report and keeps it as bench/results/NAME-TIMESTAMP.txt under the working directory. */
    static void writeReport(String name, String report) {
        System.out.println(report);
        Path dir = Path.of(System.getProperty("bench.results", "bench/results"));
        try {
            Files.createDirectories(dir);
            String stamp = Instant.now().toString().replace(":", "").replaceAll("\\.\\d+Z$", "Z");
            Path file = dir.resolve(name + "-" + stamp + ".txt");
            Files.writeString(file, report, StandardCharsets.UTF_8);
            System.out.println("» written to " + file.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("could not write the report: " + e);
        }
    }
}
