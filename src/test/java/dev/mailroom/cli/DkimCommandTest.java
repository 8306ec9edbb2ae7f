package dev.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimSigner;
import dev.mailroom.sign.SigningStream;
import dev.mailroom.testing.DkimVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code mailroom dkim}: the key it writes signs mail that independent verifiers accept with the record it prints. */
class DkimCommandTest {

    private static final Pattern ZONE_LINE = Pattern.compile("(\\S+)\\. IN TXT ((?:\"[^\"]*\" ?)+)");
    private static final Pattern STRING = Pattern.compile("\"([^\"]*)\"");
    private static final String MESSAGE = "From: ann@example.com\r\nTo: bob@example.org\r\nSubject: Hello\r\n"
            + "Date: Tue, 11 Jun 2024 09:00:00 +0000\r\n\r\nSigned with a key from mailroom dkim.\r\n";

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "ed25519"})
    void theKeyWrittenShouldSignMailThatVerifiersAcceptWithThePrintedRecord(String algorithm) throws IOException {
        Path pem = dir.resolve("key.pem");

        Run run = run("dkim", "--domain", "example.com", "--selector", "s2026", "--algorithm", algorithm, "--out", pem.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("; private key for s2026._domainkey.example.com: " + pem + " (keep it secret)");
        Matcher zone = ZONE_LINE.matcher(lines.get(1));
        assertThat(zone.matches()).as(lines.get(1)).isTrue();
        assertThat(zone.group(1)).isEqualTo("s2026._domainkey.example.com");
        String record = published(zone.group(2));
        assertThat(record).startsWith("v=DKIM1; k=" + algorithm + "; p=");

        byte[] signed = signedWith(DkimKey.fromPem("example.com", "s2026", Files.readString(pem)));
        for (DkimVerifier verifier : DkimVerifier.all()) {
            assertThat(verifier.requireInstalled().verify(signed, Map.of("s2026._domainkey.example.com", record)))
                    .as(verifier.name()).singleElement().satisfies(v -> assertThat(v.pass()).as(v.detail()).isTrue());
        }
    }

    @Test
    void aLongRecordShouldBePrintedInStringsOf255CharactersAtMost() {
        Run run = run("dkim", "--domain", "example.com", "--selector", "big", "--bits", "4096", "--out",
                dir.resolve("big.pem").toString());

        Matcher zone = ZONE_LINE.matcher(run.out().lines().toList().get(1));
        assertThat(zone.matches()).isTrue();
        List<String> strings = STRING.matcher(zone.group(2)).results().map(m -> m.group(1)).toList();
        assertThat(strings).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
    }

    @Test
    void thePrivateKeyShouldBeReadableByItsOwnerOnly() throws IOException {
        Path pem = dir.resolve("key.pem");

        run("dkim", "--domain", "example.com", "--selector", "s2026", "--out", pem.toString());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pem))).isEqualTo("rw-------");
        assertThat(Files.readString(pem)).startsWith("-----BEGIN PRIVATE KEY-----\n");
    }

    @Test
    void anExistingFileShouldNotBeOverwritten() throws IOException {
        Path pem = Files.writeString(dir.resolve("key.pem"), "precious");

        Run run = run("dkim", "--domain", "example.com", "--selector", "s2026", "--out", pem.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).containsExactly("mailroom: " + pem + " already exists: not overwritten");
        assertThat(Files.readString(pem)).isEqualTo("precious");
    }

    @Test
    void aShortRsaKeyShouldBeRefusedInOneLine() {
        Run run = run("dkim", "--domain", "example.com", "--selector", "s", "--bits", "1024", "--out",
                dir.resolve("k.pem").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).containsExactly("mailroom: RSA keys for DKIM have 2048 to 4096 bits (RFC 8301 §3.2), not 1024");
        assertThat(dir.resolve("k.pem")).doesNotExist();
    }

    @Test
    void anUnknownAlgorithmOrBitsForEd25519ShouldBeUsageErrors() {
        assertThat(run("dkim", "--domain", "example.com", "--selector", "s", "--algorithm", "dsa").exitCode()).isEqualTo(2);
        Run bits = run("dkim", "--domain", "example.com", "--selector", "s", "--algorithm", "ed25519", "--bits", "2048");
        assertThat(bits.exitCode()).isEqualTo(2);
        assertThat(bits.err().lines()).containsExactly(
                "mailroom: --bits: only RSA keys have a length to choose (see 'mailroom dkim --help')");
    }

    /** RFC 6376 §3.6.2.2: the record is its strings concatenated. */
    private static String published(String quotedStrings) {
        return String.join("", STRING.matcher(quotedStrings).results().map(m -> m.group(1)).toList());
    }

    private static byte[] signedWith(DkimKey key) throws IOException {
        DkimSigner signer = new DkimSigner(List.of(key), List.of(),
                Clock.fixed(Instant.parse("2024-06-11T09:00:00Z"), ZoneOffset.UTC));
        SigningStream stream = signer.signingStream();
        byte[] message = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        stream.write(message);
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        signed.writeBytes(stream.signatures());
        signed.writeBytes(message);
        return signed.toByteArray();
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MailroomCli.commandLine(new MailroomCli(Map.of()));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }
}
