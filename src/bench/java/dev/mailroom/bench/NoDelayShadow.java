package dev.mailroom.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Proposed engine changes, prototyped without touching production code: production sources read
 * from src/main/java, patched textually, compiled into a directory that a JVM puts in front of its
 * class path. Rebuilt from the current sources on every run, so they track production; a patch
 * whose anchor is gone fails loudly.
 *
 * <ul>
 *   <li>{@code nodelay} — every SMTP socket gets TCP_NODELAY (Nagle off). In production since
 *       c5ab4c6 (now in SmtpSockets); the patch is skipped.</li>
 * </ul>
 *
 * <p>The {@code session} prototype (one Jakarta Mail Session per engine) went into production in
 * 77104f6 and was removed from here. Add new prototypes as patches of the current sources.
 */
final class NoDelayShadow {

    /** @param appliedMarker text whose presence in production means the change is already there (patch skipped) */
    private record Patch(String name, String source, String anchor, String replacement, String appliedMarker) {
    }

    private static final List<Patch> PATCHES = List.of(
            new Patch("nodelay", "dev/mailroom/deliver/SmtpSockets.java", "current().deadline().register(socket);",
                    "current().deadline().register(socket); socket.setTcpNoDelay(true);", "setTcpNoDelay(true)"));

    private NoDelayShadow() {
    }

    /** @return the directory holding the patched classes */
    static Path build(Path outputDir, List<String> names) {
        try {
            outputDir = outputDir.resolveSibling(outputDir.getFileName() + "-" + String.join("+", names));
            deleteTree(outputDir);
            Path sourceRoot = outputDir.resolve("src");
            List<String> files = new ArrayList<>();
            for (Patch patch : PATCHES) {
                if (!names.contains(patch.name())) {
                    continue;
                }
                Path target = sourceRoot.resolve(patch.source());
                String source = Files.exists(target) && files.contains(target.toString())
                        ? Files.readString(target, StandardCharsets.UTF_8)
                        : Files.readString(Path.of("src/main/java").resolve(patch.source()), StandardCharsets.UTF_8);
                if (patch.appliedMarker() != null && source.contains(patch.appliedMarker())) {
                    System.out.println("prototype '" + patch.name() + "': already in production (" + patch.source() + "), skipped");
                    continue;
                }
                if (!source.contains(patch.anchor())) {
                    throw new IllegalStateException(patch.source() + " changed: no '" + patch.anchor() + "' to patch");
                }
                Files.createDirectories(target.getParent());
                Files.writeString(target, source.replace(patch.anchor(), patch.replacement()), StandardCharsets.UTF_8);
                if (!files.contains(target.toString())) {
                    files.add(target.toString());
                }
            }
            Path classes = outputDir.resolve("classes");
            Files.createDirectories(classes);
            if (files.isEmpty()) {
                return classes;
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "-cp",
                    "target/classes" + File.pathSeparator + System.getProperty("java.class.path")));
            arguments.addAll(files);
            if (javac.run(null, null, null, arguments.toArray(String[]::new)) != 0) {
                throw new IllegalStateException("could not compile the prototypes " + names);
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var walk = Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    static String classPath(Path shadow) {
        return shadow + File.pathSeparator + System.getProperty("java.class.path");
    }
}
