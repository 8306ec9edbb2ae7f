package dev.mailroom.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real DynamoDB API for tests: dynalite (in-memory), run by Node.js as a child process on a free
 * loopback port (DESIGN.md §6). The build installs dynalite from {@code src/test/dynalite/package-lock.json}
 * into the directory named by the system property {@value #DIRECTORY_PROPERTY} (set by Surefire;
 * {@code target/dynalite} when run from an IDE without it).
 *
 * <p>The process is killed by {@link #close()} and, failing that, by a JVM shutdown hook. Tables and
 * items live only in the process's memory: {@link #restart()} loses them.
 */
public final class DynaliteProcess implements AutoCloseable {

    static final String DIRECTORY_PROPERTY = "mailroom.dynalite.dir";
    private static final int MINIMUM_NODE_MAJOR = 20;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int BIND_ATTEMPTS = 5;
    private static final String LISTENING = "Dynalite listening at:";
    private static final Pattern NODE_VERSION = Pattern.compile("v(\\d+)\\..*");

    private final Path cli;
    private final int port;
    private final Thread shutdownHook = new Thread(this::kill, "dynalite-shutdown");
    private Process process;

    private DynaliteProcess(Path cli, int port, Process process) {
        this.cli = cli;
        this.port = port;
        this.process = process;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts dynalite on a free loopback port and returns once it answers HTTP.
     *
     * @throws IllegalStateException if Node.js 20+ is not on the PATH, dynalite is not installed, or it
     *                               does not start within 30 s
     */
    public static DynaliteProcess start() {
        Path cli = installedCli();
        requireNode();
        IllegalStateException lastFailure = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            int port = freePort();
            try {
                return new DynaliteProcess(cli, port, launch(cli, port));
            } catch (PortTakenException e) {
                // Another process took the port between our probe and dynalite's bind: pick another.
                lastFailure = e;
            }
        }
        throw lastFailure;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Stops dynalite and starts a fresh one on the same port; every table and item is gone afterwards. */
    public synchronized void restart() {
        kill();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                process = launch(cli, port);
                return;
            } catch (PortTakenException e) {
                // The old socket can linger for a moment after the process is gone.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofMillis(50));
            }
        }
    }

    @Override
    public synchronized void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; it will find the process dead.
        }
    }

    private synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private static Path installedCli() {
        Path directory = Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/dynalite"));
        Path cli = directory.resolve("node_modules/dynalite/cli.js").toAbsolutePath();
        if (!Files.isRegularFile(cli)) {
            throw new IllegalStateException("dynalite is not installed at " + cli
                    + "; run `mvn generate-test-resources` (it runs `npm ci` on src/test/dynalite, needs Node.js "
                    + MINIMUM_NODE_MAJOR + "+)");
        }
        return cli;
    }

    /** Fails with one clear message when {@code node} is missing or older than dynalite 4 supports. */
    private static void requireNode() {
        String version;
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            node.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw nodeNeeded("no `node` on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw nodeNeeded("interrupted while asking `node --version`");
        }
        Matcher matcher = NODE_VERSION.matcher(version);
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < MINIMUM_NODE_MAJOR) {
            throw nodeNeeded("`node --version` says " + version);
        }
    }

    private static IllegalStateException nodeNeeded(String found) {
        return new IllegalStateException("The DynamoDB emulator (dynalite) needs Node.js " + MINIMUM_NODE_MAJOR
                + "+ on the PATH; " + found);
    }

    private static Process launch(Path cli, int port) {
        List<String> command = List.of("node", cli.toString(), "--port", Integer.toString(port),
                "--host", "127.0.0.1", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        OutputWatcher output = new OutputWatcher(process, port);
        output.start();
        try {
            output.awaitListening();
            awaitAnswer(port, process);
            return process;
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Any HTTP answer will do: dynalite is then serving, not just bound. */
    private static void awaitAnswer(int port, Process process) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port)
                        .toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(1000);
                connection.getResponseCode();
                connection.disconnect();
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("dynalite on port " + port + " does not answer", notYet);
                }
                sleep(Duration.ofMillis(20));
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for dynalite", e);
        }
    }

    /** dynalite exited because its port was in use. */
    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message) {
            super(message);
        }
    }

    /**
     * Drains the child's output for its whole life (a full pipe would block it), signals the
     * "listening" line, and keeps the last lines for the failure message if it dies first.
     */
    private static final class OutputWatcher extends Thread {
        private static final int KEPT_LINES = 20;

        private final Process process;
        private final int port;
        private final CountDownLatch listening = new CountDownLatch(1);
        private final Deque<String> lastLines = new ArrayDeque<>();

        OutputWatcher(Process process, int port) {
            super("dynalite-output-" + port);
            setDaemon(true);
            this.process = process;
            this.port = port;
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith(LISTENING)) {
                        listening.countDown();
                    }
                    synchronized (lastLines) {
                        lastLines.addLast(line);
                        if (lastLines.size() > KEPT_LINES) {
                            lastLines.removeFirst();
                        }
                    }
                }
            } catch (IOException closed) {
                // The process is gone; awaitListening() reports why.
            }
        }

        void awaitListening() {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            try {
                while (!listening.await(20, TimeUnit.MILLISECONDS)) {
                    if (!process.isAlive()) {
                        join(STOP_TIMEOUT.toMillis()); // read what it printed before dying
                        String output = output();
                        if (output.contains("EADDRINUSE")) {
                            throw new PortTakenException("port " + port + " is taken: " + output);
                        }
                        throw new IllegalStateException("dynalite exited with " + process.exitValue()
                                + " before listening on port " + port + ":\n" + output);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("dynalite did not listen on port " + port + " within "
                                + START_TIMEOUT.toSeconds() + " s:\n" + output());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for dynalite", e);
            }
        }

        private String output() {
            synchronized (lastLines) {
                return String.join("\n", lastLines);
            }
        }
    }
}
