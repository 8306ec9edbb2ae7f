package dev.mailroom.reliability;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One worker as a child JVM ({@link ChildWorkerMain} on the test class path), with its own EHLO name
 * so that a receiving server can tell which process a session comes from. {@link #kill()} is a
 * SIGKILL: no shutdown hook, no finally block, no last ledger write.
 */
final class WorkerProcess {

    /** The AWS SDK's application id, which it appends to the User-Agent of every request. */
    private static final String APP_ID_VARIABLE = "AWS_SDK_UA_APP_ID";
    private static final Pattern APP_ID = Pattern.compile("\\bapp/([\\w.-]+)");

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedAt = System.currentTimeMillis();
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile long readyAt;
    private volatile long killedAt;
    private volatile long lastOutputAt = System.currentTimeMillis();
    private volatile long cpuMillis;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread pump = new Thread(this::pumpOutput, "worker-output-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * @param name      the worker's name; it becomes its EHLO name {@code <name>.workers.test}
     * @param mainClass {@link ChildWorkerMain} or {@code dev.mailroom.worker.WorkerMain}
     * @param env       the MAILROOM_* variables (MAILROOM_HELO_NAME is set here)
     */
    static WorkerProcess start(String name, String mainClass, WorkerLaunch launch, Map<String, String> env,
                               Path logDirectory) {
        List<String> command = launch.command(mainClass, quietLogback(logDirectory));
        Path log = logDirectory.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("MAILROOM_HELO_NAME", heloName(name));
        // The SDK adds "app/<id>" to every request's User-Agent: a proxy can tell which worker sent it.
        builder.environment().put(APP_ID_VARIABLE, name);
        try {
            return new WorkerProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name, e);
        }
    }

    /**
     * The name of the worker that sent {@code request}, from the {@code app/<name>} its SDK put in the
     * User-Agent; empty for a request of no worker (the test JVM's own clients).
     */
    static Optional<String> nameOfSender(FaultHttpProxy.ProxyRequest request) {
        String agent = request.header("User-Agent");
        Matcher app = agent == null ? null : APP_ID.matcher(agent);
        return app != null && app.find() ? Optional.of(app.group(1)) : Optional.empty();
    }

    static String heloName(String name) {
        return name + ".workers.test";
    }

    String name() {
        return name;
    }

    String helo() {
        return heloName(name);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long startedAt() {
        return startedAt;
    }

    /** Epoch milliseconds when the worker was wired and about to poll; 0 while it starts. */
    long readyAt() {
        return readyAt;
    }

    /** Epoch milliseconds of the worker's last line of output. */
    long lastOutputAt() {
        return lastOutputAt;
    }

    /** Writes the worker's thread stacks (jcmd Thread.print) next to its log; returns the file. */
    Path dumpThreads() {
        Path dump = log.resolveSibling(name + "-threads-" + System.currentTimeMillis() + ".txt");
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true)
                    .redirectOutput(dump.toFile()).start();
            jcmd.waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dump;
    }

    /** Job attempts the worker logged (one JSON line each). */
    int attempts() {
        return attempts.get();
    }

    /** Epoch milliseconds of the SIGKILL, 0 if never killed. */
    long killedAt() {
        return killedAt;
    }

    Path log() {
        return log;
    }

    /** CPU time the process used, as last seen before it was stopped or killed (or now, if alive). */
    long cpuMillis() {
        if (process.isAlive()) {
            cpuMillis = process.info().totalCpuDuration().map(Duration::toMillis).orElse(cpuMillis);
        }
        return cpuMillis;
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill() {
        cpuMillis();
        killedAt = System.currentTimeMillis();
        process.destroyForcibly();
        awaitExit(10);
    }

    /** SIGTERM (the worker finishes its batch), SIGKILL if it is still there after {@code graceSeconds}. */
    void stop(int graceSeconds) {
        cpuMillis();
        process.destroy();
        if (!awaitExit(graceSeconds)) {
            process.destroyForcibly();
            awaitExit(10);
        }
    }

    private boolean awaitExit(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Copies the worker's output to its log file, noting readiness and attempts on the way. */
    private void pumpOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); BufferedWriter out = Files.newBufferedWriter(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lastOutputAt = System.currentTimeMillis();
                if (readyAt == 0 && line.contains("\"worker\":\"ready\"")) {
                    readyAt = System.currentTimeMillis();
                } else if (line.contains("\"event\":\"job.attempt\"")) {
                    attempts.incrementAndGet();
                }
                out.write(line);
                out.newLine();
                if (!in.ready()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The last lines the worker printed, for failure messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Workers log JSON lines to stdout; the SDK and friends only their errors. */
    static String quietLogback(Path directory) {
        Path config = directory.resolve("logback-worker.xml");
        if (!Files.exists(config)) {
            try {
                Files.writeString(config, """
                        <configuration>
                          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                          </appender>
                          <root level="ERROR"><appender-ref ref="OUT"/></root>
                        </configuration>
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return config.toString().replace(File.separatorChar, '/');
    }
}
