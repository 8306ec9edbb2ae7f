package dev.mailroom.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenDKIM 2.11 (Debian's opendkim): the filter itself in its test mode, {@code opendkim -x <conf> -t
 * <message>}, with the keys in a {@code TestPublicKeys} file (opendkim.conf(5)). Not
 * {@code opendkim-testmsg} from opendkim-tools: it takes no configuration and finds keys only through
 * the system resolver on port 53. The test mode reports one signature per message, so each signature
 * is checked in a copy of the message that keeps it and no other DKIM-Signature — which changes
 * nothing for it, as no signature covers another.
 */
final class OpenDkimVerifier extends DkimVerifier {

    static final OpenDkimVerifier INSTANCE = new OpenDkimVerifier();

    private final Optional<Path> opendkim = executable("opendkim", "/usr/sbin/opendkim", "/sbin/opendkim");

    private OpenDkimVerifier() {
    }

    @Override
    public String name() {
        return "OpenDKIM";
    }

    @Override
    public String debianPackage() {
        return "opendkim";
    }

    @Override
    boolean installed() {
        return opendkim.isPresent();
    }

    @Override
    List<Verdict> verify(Path dir, byte[] message, Map<String, String> records) throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), recordLines(records, " "), StandardCharsets.US_ASCII);
        Path conf = Files.writeString(dir.resolve("opendkim.conf"), String.join("\n", "Background no", "Syslog no",
                "Mode v", "TestPublicKeys " + keys) + "\n", StandardCharsets.US_ASCII);
        List<Verdict> verdicts = new ArrayList<>();
        List<RawMessage> alone = eachSignatureAlone(RawMessage.parse(message));
        for (int i = 0; i < alone.size(); i++) {
            Path copy = Files.write(dir.resolve("signature-" + i + ".eml"), alone.get(i).bytes());
            Run run = run(List.of(opendkim.orElseThrow().toString(), "-x", conf.toString(), "-t", copy.toString()));
            String said = run.output().strip();
            // e.g. "opendkim: m.eml: verification (s=s1, d=example.com, 2048-bit key) succeeded"
            verdicts.add(new Verdict(run.exitCode() == 0 && said.lines().count() == 1
                    && said.contains(": verification (") && said.endsWith(") succeeded"), said));
        }
        return verdicts;
    }

    private static List<RawMessage> eachSignatureAlone(RawMessage message) {
        List<Integer> signatures = new ArrayList<>();
        for (int i = 0; i < message.fields().size(); i++) {
            if (RawMessage.named(message.fields().get(i), "DKIM-Signature")) {
                signatures.add(i);
            }
        }
        List<RawMessage> copies = new ArrayList<>();
        for (int kept : signatures) {
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < message.fields().size(); i++) {
                if (i == kept || !signatures.contains(i)) {
                    fields.add(message.fields().get(i));
                }
            }
            copies.add(message.withFields(fields));
        }
        return copies;
    }
}
