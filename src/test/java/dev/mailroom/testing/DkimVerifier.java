package dev.mailroom.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A DKIM verifier that is not Mailroom's code, run as its own program over a message's bytes, the
 * public keys given as TXT records by DNS name instead of looked up. Where a verifier is not
 * installed, a test {@link #requireInstalled() skips} with the Debian package to install — unless
 * {@value #REQUIRE_VARIABLE}=1 (CI sets it), where it fails.
 */
public abstract class DkimVerifier {

    /** Set to 1 to make a missing verifier a failure rather than a skipped test. */
    public static final String REQUIRE_VARIABLE = "REQUIRE_DKIM_VERIFIERS";
    private static final long TIMEOUT_SECONDS = 60;

    /** dkimpy's and OpenDKIM's: both verify rsa-sha256 and ed25519-sha256. */
    public static List<DkimVerifier> all() {
        return List.of(DkimpyVerifier.INSTANCE, OpenDkimVerifier.INSTANCE);
    }

    /** One signature's result; {@code detail} is what the verifier said. */
    public record Verdict(boolean pass, String detail) {
    }

    /** What a test prints for it, e.g. {@code "dkimpy 1.1.4"}. */
    public abstract String name();

    /** The Debian package that provides it. */
    public abstract String debianPackage();

    abstract boolean installed();

    /**
     * One verdict per DKIM-Signature field of {@code message}, top to bottom.
     *
     * @param records TXT record values by DNS name, e.g. {@code s1._domainkey.example.com}
     */
    /**
     * Every verifier (each required as {@link #requireInstalled()} says) finds {@code signatures}
     * signatures in {@code message}, and passes them all.
     */
    public static void assertEveryVerifierPasses(byte[] message, Map<String, String> records, int signatures) {
        for (DkimVerifier verifier : all()) {
            verifier.requireInstalled();
            org.assertj.core.api.Assertions.assertThat(verifier.verify(message, records)).as("%s", verifier)
                    .hasSize(signatures).allMatch(Verdict::pass);
        }
    }

    public final List<Verdict> verify(byte[] message, Map<String, String> records) {
        Path dir = scratch();
        try {
            return verify(dir, message, records);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /** {@link #verify(byte[], Map)}, with a fresh directory for the files the program reads. */
    abstract List<Verdict> verify(Path dir, byte[] message, Map<String, String> records) throws IOException;

    /** Skips the calling test when this verifier is missing, or fails it when verifiers are required. */
    public DkimVerifier requireInstalled() {
        if (!installed()) {
            String missing = name() + " is not installed: apt-get install " + debianPackage();
            if ("1".equals(System.getenv(REQUIRE_VARIABLE))) {
                fail(missing + " (" + REQUIRE_VARIABLE + "=1)");
            }
            Assumptions.assumeTrue(false, missing);
        }
        return this;
    }

    @Override
    public String toString() {
        return name();
    }

    /** The first of these that is an executable file, looking in each PATH directory for bare names. */
    static Optional<Path> executable(String name, String... otherPlaces) {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name));
        return Stream.concat(onPath, Stream.of(otherPlaces).map(Path::of)).filter(Files::isExecutable).findFirst();
    }

    /** Runs a command to its end; its output (stdout and stderr together) and exit code. */
    static Run run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Run(int exitCode, String output) {
    }

    private static Path scratch() {
        try {
            return Files.createTempDirectory("dkim-verify-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The records as lines of {@code <name><separator><record>}. */
    static String recordLines(Map<String, String> records, String separator) {
        StringBuilder lines = new StringBuilder();
        records.forEach((name, record) -> lines.append(name).append(separator).append(record).append('\n'));
        return lines.toString();
    }
}
