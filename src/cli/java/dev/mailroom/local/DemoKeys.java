package dev.mailroom.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.sign.DkimAlgorithm;
import dev.mailroom.sign.DkimKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local stack's DKIM keys, made afresh for each run: an RSA and an Ed25519 key for every allowed
 * sender domain, written as a key document with PEM files beside it (what {@code MAILROOM_KEYS_FILE}
 * names), so that the demo signs as a deployment does and its DNS can serve the public halves.
 *
 * @param document the key document's path
 * @param keys     the keys, whose records the stack's DNS serves
 */
record DemoKeys(Path document, List<DkimKey> keys) {

    static final String RSA_SELECTOR = "demo-rsa";
    static final String ED25519_SELECTOR = "demo-ed25519";

    static DemoKeys write(Path directory, List<String> domains) throws IOException {
        Files.createDirectories(directory);
        List<DkimKey> keys = new ArrayList<>();
        List<Map<String, String>> entries = new ArrayList<>();
        for (String domain : domains) {
            for (DkimKey key : List.of(
                    DkimKey.generate(domain, RSA_SELECTOR, DkimAlgorithm.RSA_SHA256, DkimKey.MIN_RSA_BITS),
                    DkimKey.generate(domain, ED25519_SELECTOR, DkimAlgorithm.ED25519_SHA256, 0))) {
                String file = key.selector() + "." + domain + ".pem";
                Path pem = directory.resolve(file);
                Files.writeString(pem, key.privateKeyPem());
                restrict(pem);
                keys.add(key);
                entries.add(Map.of("domain", domain, "selector", key.selector(), "privateKeyFile", file));
            }
        }
        Path document = directory.resolve("keys.json");
        Files.writeString(document, new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("dkim", entries)));
        restrict(document);
        return new DemoKeys(document, List.copyOf(keys));
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the directory is the user's own.
        }
    }
}
