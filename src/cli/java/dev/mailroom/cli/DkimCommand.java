package dev.mailroom.cli;

import dev.mailroom.sign.DkimAlgorithm;
import dev.mailroom.sign.DkimKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom dkim}: a new DKIM key pair. The private key goes to a file only its owner may read;
 * the public key is printed as the zone-file line to publish.
 */
@Command(name = "dkim", mixinStandardHelpOptions = true,
        description = "Generates a DKIM key pair: writes the private key (PKCS#8 PEM, readable by you alone) and"
                + " prints the DNS TXT record to publish at <selector>._domainkey.<domain>.")
final class DkimCommand implements Callable<Integer> {

    /** RFC 1035 §3.3.14: a TXT record is a sequence of character-strings of at most 255 bytes each. */
    static final int MAX_STRING_CHARS = 255;

    @Spec
    CommandSpec spec;

    @Option(names = "--domain", required = true, paramLabel = "DOMAIN",
            description = "The signing domain (d=): the From domain, or a parent of it for DMARC's relaxed alignment.")
    String domain;

    @Option(names = "--selector", required = true, paramLabel = "SELECTOR",
            description = "The selector (s=), e.g. s2026: a new one per key, so that two can be live while rotating.")
    String selector;

    @Option(names = "--algorithm", defaultValue = "rsa", paramLabel = "rsa|ed25519",
            description = "rsa (what every receiver verifies) or ed25519 (RFC 8463; sign with both). Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--bits", paramLabel = "BITS", description = "The RSA key's length, 2048 (the default) to 4096.")
    Integer bits;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the private key (default: <selector>.<domain>.pem); never overwritten.")
    Path out;

    @Override
    public Integer call() {
        DkimAlgorithm chosen = switch (algorithm) {
            case "rsa" -> DkimAlgorithm.RSA_SHA256;
            case "ed25519" -> DkimAlgorithm.ED25519_SHA256;
            default -> throw new ParameterException(spec.commandLine(), "--algorithm: rsa or ed25519, not '" + algorithm + "'");
        };
        if (bits != null && chosen != DkimAlgorithm.RSA_SHA256) {
            throw new ParameterException(spec.commandLine(), "--bits: only RSA keys have a length to choose");
        }
        DkimKey key = DkimKey.generate(domain, selector, chosen, bits == null ? DkimKey.MIN_RSA_BITS : bits);
        Path file = out != null ? out : Path.of(key.selector() + "." + key.domain() + ".pem");
        writePrivately(file, key.privateKeyPem());
        PrintWriter printed = spec.commandLine().getOut();
        printed.println("; private key for " + key.dnsName() + ": " + file + " (keep it secret)");
        printed.println(zoneLine(key));
        printed.flush();
        return 0;
    }

    /** The record in zone-file form, its value split into quoted strings of at most 255 characters. */
    static String zoneLine(DkimKey key) {
        String record = key.dnsRecord();
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < record.length(); i += MAX_STRING_CHARS) {
            strings.add('"' + record.substring(i, Math.min(record.length(), i + MAX_STRING_CHARS)) + '"');
        }
        return key.dnsName() + ". IN TXT " + String.join(" ", strings);
    }

    /** Creates the file, mode 0600 where the file system has POSIX permissions, and never replaces one. */
    private static void writePrivately(Path file, String content) {
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, content, StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(file + " already exists: not overwritten");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the private key to " + file + ": " + e.getMessage(), e);
        }
    }
}
