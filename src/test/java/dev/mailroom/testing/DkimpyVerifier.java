package dev.mailroom.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * dkimpy (Debian's python3-dkim), the library behind its {@code dkimverify} command. That command
 * only looks keys up in DNS, so its Python API is called instead ({@code dkim.DKIM(message).verify(idx,
 * dnsfunc)}, by {@code dkim/dkimpy-verify.py}), with the records given as the answer to the lookup.
 * The Python is the one {@code dkimverify} runs under (its {@code #!} line), which has the module.
 */
final class DkimpyVerifier extends DkimVerifier {

    static final DkimpyVerifier INSTANCE = new DkimpyVerifier();
    private static final String SCRIPT = script();

    /** The command that runs Python, e.g. {@code [/usr/bin/python3]} or {@code [/usr/bin/env, python3]}. */
    private final Optional<List<String>> python = python();

    private DkimpyVerifier() {
    }

    @Override
    public String name() {
        return "dkimpy";
    }

    @Override
    public String debianPackage() {
        return "python3-dkim";
    }

    @Override
    boolean installed() {
        return python.isPresent();
    }

    @Override
    List<Verdict> verify(Path dir, byte[] message, Map<String, String> records) throws IOException {
        Path messageFile = Files.write(dir.resolve("message.eml"), message);
        Path keys = Files.writeString(dir.resolve("keys"), recordLines(records, "\t"), StandardCharsets.US_ASCII);
        Run run = run(command("-c", SCRIPT, messageFile.toString(), keys.toString()));
        if (run.exitCode() != 0) {
            throw new IllegalStateException("dkimpy failed (" + run.exitCode() + "): " + run.output());
        }
        return run.output().lines().map(line -> new Verdict(line.equals("pass"), line)).toList();
    }

    private List<String> command(String... arguments) {
        return Stream.concat(python.orElseThrow().stream(), Stream.of(arguments)).toList();
    }

    /** The interpreter of dkimverify's {@code #!} line, if it can import dkim. */
    private static Optional<List<String>> python() {
        return executable("dkimverify", "/usr/bin/dkimverify").flatMap(command -> {
            try {
                String first = Files.readAllLines(command).stream().findFirst().orElse("");
                List<String> interpreter = first.startsWith("#!") ? List.of(first.substring(2).strip().split("\\s+"))
                        : List.of();
                boolean works = !interpreter.isEmpty() && run(Stream.concat(interpreter.stream(),
                        Stream.of("-c", "import dkim")).toList()).exitCode() == 0;
                return works ? Optional.of(interpreter) : Optional.empty();
            } catch (IOException | UncheckedIOException e) {
                return Optional.empty();
            }
        });
    }

    private static String script() {
        try (InputStream in = DkimpyVerifier.class.getResourceAsStream("/dkim/dkimpy-verify.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
