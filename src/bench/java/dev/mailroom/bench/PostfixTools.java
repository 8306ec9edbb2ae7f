package dev.mailroom.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Postfix's test programs (Debian package {@code postfix}): {@code smtp-sink}, the common SMTP sink
 * every benchmark delivers to, and {@code smtp-source}, Postfix's load generator.
 */
final class PostfixTools {

    static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    static final Path SMTP_SOURCE = Path.of("/usr/sbin/smtp-source");
    private static final Path TIME = Path.of("/usr/bin/time");

    private PostfixTools() {
    }

    static void requireInstalled() {
        if (!Files.isExecutable(SMTP_SINK) || !Files.isExecutable(SMTP_SOURCE)) {
            throw new IllegalStateException("smtp-sink/smtp-source missing: see bench/install-postfix.sh");
        }
    }

    /** smtp-sink on 127.0.0.1 and a free port: accepts everything, keeps nothing. */
    static final class Sink implements AutoCloseable {
        final int port;
        final Process process;

        private Sink(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static Sink start() {
            requireInstalled();
            int port = BenchSupport.freePort();
            List<String> command = new ArrayList<>(List.of(SMTP_SINK.toString()));
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("-u", "nobody"));
            }
            // -m: more simultaneous connections than any benchmark opens; backlog 1024.
            command.addAll(List.of("-m", "1024", "127.0.0.1:" + port, "1024"));
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Sink sink = new Sink(port, process);
                Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
                sink.awaitListening();
                return sink;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void awaitListening() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException e) {
                    sleep(20);
                }
            }
            throw new IllegalStateException("smtp-sink is not listening on " + port);
        }

        long cpuMillis() {
            return BenchSupport.processCpuMillis(process.pid());
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    /** One smtp-source run and what it cost. */
    record SourceRun(double seconds, double userSeconds, double systemSeconds, int exitCode, String output) {
        double rate(int messages) {
            return messages / seconds;
        }
    }

    /**
     * Runs smtp-source under /usr/bin/time: {@code messages} messages of {@code bytes} payload, one
     * recipient each, over {@code sessions} parallel sessions, one message per session unless
     * {@code reuse} (-d).
     */
    static SourceRun source(int port, int sessions, int messages, int bytes, boolean reuse, String from, String to) {
        requireInstalled();
        List<String> command = new ArrayList<>(List.of(TIME.toString(), "-f", "TIME %e %U %S",
                SMTP_SOURCE.toString(), "-s", String.valueOf(sessions), "-m", String.valueOf(messages),
                "-l", String.valueOf(bytes), "-f", from, "-t", to, "-M", "source.bench.test"));
        if (reuse) {
            command.add("-d");
        }
        command.add("127.0.0.1:" + port);
        try {
            Path log = Files.createTempFile("smtp-source", ".log");
            try {
                long start = System.nanoTime();
                Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("smtp-source did not finish in 10 minutes");
                }
                double wall = (System.nanoTime() - start) / 1e9;
                String output = Files.readString(log, StandardCharsets.UTF_8);
                double user = 0;
                double system = 0;
                for (String line : output.split("\n")) {
                    if (line.startsWith("TIME ")) {
                        String[] f = line.split(" ");
                        user = Double.parseDouble(f[2]);
                        system = Double.parseDouble(f[3]);
                    }
                }
                return new SourceRun(wall, user, system, process.exitValue(), output);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
