package dev.mailroom.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Postfix instance on loopback for the pipeline comparison: its own configuration and
 * queue directories under a temp directory, smtpd on a free port, every message relayed to
 * {@code relayhost = [127.0.0.1]:sinkPort} (the smtp-sink), Postfix's defaults otherwise (queue
 * files fsync'ed, connection cache on demand, 20 parallel deliveries to the relay). Started with
 * {@code postfix -c DIR start} (as root), stopped with {@code postfix -c DIR stop} on close and on
 * JVM exit; the directory is deleted.
 */
final class PostfixRelay implements AutoCloseable {

    private static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    private static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");

    final int port;
    private final Path dir;
    private final Path maillog;
    private final Thread stopHook;
    private boolean stopped;

    private PostfixRelay(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.maillog = dir.resolve("maillog");
        this.stopHook = new Thread(this::stopQuietly);
        Runtime.getRuntime().addShutdownHook(stopHook);
    }

    static PostfixRelay start(int sinkPort) {
        if (!Files.isExecutable(POSTFIX)) {
            throw new IllegalStateException("postfix is not installed: see bench/install-postfix.sh");
        }
        try {
            Path dir = Files.createTempDirectory("mailroom-bench-postfix-");
            // Postfix's daemons run as the postfix user: they must be able to traverse the directory.
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path conf = Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("queue"));
            Path data = Files.createDirectories(dir.resolve("data"));
            UserPrincipal postfix = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
            Files.setOwner(data, postfix);
            int port = BenchSupport.freePort();
            Files.writeString(conf.resolve("main.cf"), mainCf(dir, sinkPort), StandardCharsets.UTF_8);
            Files.writeString(conf.resolve("master.cf"), masterCf(port), StandardCharsets.UTF_8);
            PostfixRelay relay = new PostfixRelay(dir, port);
            relay.postfix("start");
            relay.awaitListening();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mainCf(Path dir, int sinkPort) {
        return String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + dir.resolve("data"),
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = postfix.bench.test",
                "mydomain = bench.test",
                "myorigin = $myhostname",
                "mydestination =",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "relayhost = [127.0.0.1]:" + sinkPort,
                "smtpd_relay_restrictions = permit_mynetworks, reject",
                "local_transport = error:local delivery is disabled",
                "alias_maps =",
                "alias_database =",
                "smtp_tls_security_level = none",
                "smtpd_tls_security_level = none",
                "maillog_file_prefixes = " + dir,
                "maillog_file = " + dir.resolve("maillog"),
                "") ;
    }

    private static String masterCf(int port) {
        return String.join("\n",
                "127.0.0.1:" + port + " inet n - n - - smtpd",
                "pickup    unix  n - n 60 1 pickup",
                "cleanup   unix  n - n - 0 cleanup",
                "qmgr      unix  n - n 300 1 qmgr",
                "tlsmgr    unix  - - n 1000? 1 tlsmgr",
                "rewrite   unix  - - n - - trivial-rewrite",
                "bounce    unix  - - n - 0 bounce",
                "defer     unix  - - n - 0 bounce",
                "trace     unix  - - n - 0 bounce",
                "verify    unix  - - n - 1 verify",
                "flush     unix  n - n 1000? 0 flush",
                "proxymap  unix  - - n - - proxymap",
                "proxywrite unix - - n - 1 proxymap",
                "smtp      unix  - - n - - smtp",
                "relay     unix  - - n - - smtp",
                "showq     unix  n - n - - showq",
                "error     unix  - - n - - error",
                "retry     unix  - - n - - error",
                "discard   unix  - - n - - discard",
                "anvil     unix  - - n - 1 anvil",
                "scache    unix  - - n - 1 scache",
                "postlog   unix-dgram n - n - 1 postlogd",
                "");
    }

    /** Messages still in the queue (any of its queues). */
    long queued() {
        long count = 0;
        for (String queue : QUEUES) {
            Path path = dir.resolve("queue").resolve(queue);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    count += files.filter(Files::isRegularFile).count();
                } catch (IOException | UncheckedIOException e) {
                    count++; // a file moved between queues while we looked: not empty
                }
            }
        }
        return count;
    }

    /** Deliveries logged as {@code status=sent} so far. */
    long sent() {
        try (Stream<String> lines = Files.lines(maillog, StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> line.contains(" status=sent ")).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    /** CPU of the whole instance so far: master (with its reaped children) and the live daemons. */
    long cpuMillis() {
        long total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String environ;
                try {
                    environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    continue;
                }
                if (!environ.contains("MAIL_CONFIG=" + dir.resolve("conf"))) {
                    continue;
                }
                long pid = Long.parseLong(proc.getFileName().toString());
                total += BenchSupport.processCpuMillis(pid) + reapedChildrenCpuMillis(pid);
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    private static long reapedChildrenCpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                PostfixTools.sleep(50);
            }
        }
        throw new IllegalStateException("postfix is not listening on " + port + "; log:\n" + log());
    }

    String log() {
        try {
            return Files.exists(maillog) ? Files.readString(maillog, StandardCharsets.ISO_8859_1) : "(no maillog)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void postfix(String command) {
        try {
            Process process = new ProcessBuilder(POSTFIX.toString(), "-c", dir.resolve("conf").toString(), command)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("postfix " + command + " failed: " + output + "\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized void stopQuietly() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            postfix("stop");
        } catch (RuntimeException e) {
            System.err.println("postfix stop: " + e.getMessage());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
