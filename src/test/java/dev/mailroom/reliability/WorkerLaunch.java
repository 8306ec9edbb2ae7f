package dev.mailroom.reliability;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The {@code java} command line for worker processes, made once per test JVM. The crash tests start
 * dozens of workers, and a worker's start is mostly the AWS SDK's class loading; so the class
 * directories are packed into a jar (class-data sharing archives only jars) and one warm-up run
 * ({@link ChildWorkerMain#WARM_UP}) writes a dynamic CDS archive that later starts map instead of
 * loading (about 40 % faster here). If any of that fails, workers start the plain way.
 */
final class WorkerLaunch {

    private static final List<String> JVM_OPTIONS = List.of("-Xmx192m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");
    private static WorkerLaunch shared;

    private final String classPath;
    private final Path archive; // null: no CDS

    private WorkerLaunch(String classPath, Path archive) {
        this.classPath = classPath;
        this.archive = archive;
    }

    /**
     * @param warmUpEnvironment a complete worker environment whose queue holds one job, asked for only
     *                          the first time
     * @param directory         where the jar, the archive and the warm-up's log go
     */
    static synchronized WorkerLaunch prepare(Supplier<Map<String, String>> warmUpEnvironment, Path directory) {
        if (shared == null) {
            shared = make(warmUpEnvironment.get(), directory);
        }
        return shared;
    }

    /** The command up to and including the main class. */
    List<String> command(String mainClass, String logbackConfiguration) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        if (archive != null) {
            command.add("-XX:SharedArchiveFile=" + archive);
            command.add("-Xlog:cds=off,cds+dynamic=off");
        }
        command.add("-Dlogback.configurationFile=" + logbackConfiguration);
        command.addAll(List.of("-cp", classPath, mainClass));
        return command;
    }

    boolean sharesClasses() {
        return archive != null;
    }

    private static WorkerLaunch make(Map<String, String> env, Path directory) {
        String plain = testClassPath();
        try {
            Files.createDirectories(directory);
            String packed = packDirectories(plain, directory.resolve("worker-classes.jar"));
            Path archive = directory.resolve("worker.jsa");
            Files.deleteIfExists(archive);
            WorkerLaunch candidate = new WorkerLaunch(packed, null);
            List<String> command = candidate.command(ChildWorkerMain.class.getName(), WorkerProcess.quietLogback(directory));
            command.add(1, "-XX:ArchiveClassesAtExit=" + archive);
            command.add(ChildWorkerMain.WARM_UP);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("warm-up.log").toFile());
            builder.environment().putAll(env);
            builder.environment().put("MAILROOM_HELO_NAME", "warm-up.workers.test");
            Process process = builder.start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new WorkerLaunch(plain, null);
            }
            boolean made = process.exitValue() == 0 && Files.size(archive) > 0;
            return new WorkerLaunch(packed, made ? archive : null);
        } catch (IOException | RuntimeException e) {
            return new WorkerLaunch(plain, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WorkerLaunch(plain, null);
        }
    }

    /** The class path with its directories replaced by one jar holding their files. */
    private static String packDirectories(String classPath, Path jar) throws IOException {
        List<String> entries = new ArrayList<>();
        List<Path> directories = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (Files.isDirectory(Path.of(entry))) {
                directories.add(Path.of(entry));
            } else if (Files.exists(Path.of(entry))) {
                entries.add(entry);
            }
        }
        Set<String> written = new HashSet<>();
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (Path root : directories) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(root)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path path : files) {
                    String name = root.relativize(path).toString().replace(File.separatorChar, '/');
                    if (written.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(path, out);
                        out.closeEntry();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.add(0, jar.toAbsolutePath().toString());
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The test class path. Surefire may run tests from a manifest-only booter jar; it then sets
     * {@code surefire.test.class.path} to the real entries.
     */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
