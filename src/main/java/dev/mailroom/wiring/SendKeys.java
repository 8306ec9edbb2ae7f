package dev.mailroom.wiring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.config.ConfigException;
import dev.mailroom.config.KeySource;
import dev.mailroom.job.BounceToken;
import dev.mailroom.sign.DkimException;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimKeyring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The send role's keys, read from their {@link KeySource}: one JSON document
 *
 * <pre>{@code
 * {"dkim": [{"domain": "example.com", "selector": "s2026", "privateKey": "-----BEGIN PRIVATE KEY-----\n…"},
 *           {"domain": "example.com", "selector": "e2026", "privateKeyFile": "e2026.example.com.pem"}],
 *  "unsubscribe": {"signingKey": "k2", "keys": {"k1": "<base64, 32+ bytes>", "k2": "…"}},
 *  "bounce": {"signingKey": "b1", "keys": {"b1": "<base64, 32+ bytes>"}}}
 * }</pre>
 *
 * The bounce keys sign VERP return paths ({@link BounceToken}); they are their own, not the
 * unsubscribe keys under another label: a bounce token must verify only as long as bounces of
 * delivered mail can arrive (days), an unsubscribe link for as long as anyone keeps the mail
 * (months), so the two rotate on their own schedules.
 *
 * In AWS the document is a Secrets Manager secret (one read, one grant, up to 64 KiB: some fifty
 * RSA keys; rotation by a new secret version); {@code privateKeyFile}, a path relative to the
 * document, is for the local forms only. A problem names the variable and the entry
 * ({@code MAILROOM_KEYS_FILE: dkim[1].privateKey: …}), never key material.
 *
 * @param unsubscribe the one-click unsubscribe token keys (RFC 8058), when the document has them
 * @param bounce      the VERP return path keys, when the document has them
 */
public record SendKeys(DkimKeyring dkim, Optional<UnsubscribeToken> unsubscribe, Optional<BounceToken> bounce) {

    public SendKeys(DkimKeyring dkim, Optional<UnsubscribeToken> unsubscribe) {
        this(dkim, unsubscribe, Optional.empty());
    }

    private static final Set<String> DKIM_FIELDS = Set.of("domain", "selector", "privateKey", "privateKeyFile");

    public static SendKeys none() {
        return new SendKeys(new DkimKeyring(List.of()), Optional.empty());
    }

    /** Reads the document where {@code source} says; for a secret, one GetSecretValue. */
    public static SendKeys load(KeySource source, AwsClients aws) {
        if (source instanceof KeySource.Secret secret) {
            return parse("MAILROOM_KEYS_SECRET_ARN", readSecret(secret.arn(), aws), null);
        }
        if (source instanceof KeySource.File file) {
            return parse("MAILROOM_KEYS_FILE", readFile(file.path()), file.path().toAbsolutePath().getParent());
        }
        if (source instanceof KeySource.Inline inline) {
            return parse("MAILROOM_KEYS", inline.json(), Path.of("").toAbsolutePath());
        }
        return none();
    }

    /**
     * @param variable  named in every problem found
     * @param directory where {@code privateKeyFile} paths are resolved; null where files are not allowed
     */
    static SendKeys parse(String variable, String document, Path directory) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(document);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the document: not repeated, it may hold a key.
            throw new ConfigException(variable, "not a JSON document (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(variable, "must be a JSON object with \"dkim\", \"unsubscribe\" and/or \"bounce\"");
        }
        unknownFields(variable, "", root, Set.of("dkim", "unsubscribe", "bounce"));
        List<DkimKey> keys = dkimKeys(variable, root.path("dkim"), directory);
        DkimKeyring dkim;
        try {
            dkim = new DkimKeyring(keys);
        } catch (DkimException e) {
            throw new ConfigException(variable, "dkim: " + e.getMessage());
        }
        Optional<UnsubscribeToken> unsubscribe = hmacKeys(variable, "unsubscribe", root.get("unsubscribe"))
                .map(entry -> token(variable, "unsubscribe", () -> new UnsubscribeToken(entry.signingKey(), entry.keys())));
        Optional<BounceToken> bounce = hmacKeys(variable, "bounce", root.get("bounce"))
                .map(entry -> token(variable, "bounce", () -> new BounceToken(entry.signingKey(), entry.keys())));
        return new SendKeys(dkim, unsubscribe, bounce);
    }

    private static List<DkimKey> dkimKeys(String variable, JsonNode list, Path directory) {
        if (list.isMissingNode()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new ConfigException(variable, "dkim: must be a list of keys");
        }
        List<DkimKey> keys = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "dkim[" + i + "]";
            JsonNode entry = list.get(i);
            if (!entry.isObject()) {
                throw new ConfigException(variable, at + ": must be an object");
            }
            unknownFields(variable, at + ".", entry, DKIM_FIELDS);
            String domain = text(variable, at + ".domain", entry);
            String selector = text(variable, at + ".selector", entry);
            String pem = pem(variable, at, entry, directory);
            try {
                keys.add(DkimKey.fromPem(domain, selector, pem));
            } catch (DkimException e) {
                throw new ConfigException(variable, at + ": " + e.getMessage());
            }
        }
        return keys;
    }

    private static String pem(String variable, String at, JsonNode entry, Path directory) {
        boolean inline = entry.hasNonNull("privateKey");
        boolean file = entry.hasNonNull("privateKeyFile");
        if (inline == file) {
            throw new ConfigException(variable, at + ": give privateKey or privateKeyFile, one of them");
        }
        if (inline) {
            return text(variable, at + ".privateKey", entry);
        }
        if (directory == null) {
            throw new ConfigException(variable, at + ".privateKeyFile: not in a secret; put the PEM in privateKey");
        }
        Path path = directory.resolve(text(variable, at + ".privateKeyFile", entry));
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(variable, at + ".privateKeyFile: cannot read " + path);
        }
    }

    /** The signing key's id and every key by id, of an HMAC token's entry. */
    private record HmacKeys(String signingKey, Map<String, byte[]> keys) {
    }

    private static Optional<HmacKeys> hmacKeys(String variable, String entry, JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject() || !node.path("keys").isObject()) {
            throw new ConfigException(variable, entry + ": must be {\"signingKey\": id, \"keys\": {id: base64}}");
        }
        unknownFields(variable, entry + ".", node, Set.of("signingKey", "keys"));
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.get("keys").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> key = it.next();
            String at = entry + ".keys." + key.getKey();
            if (!key.getValue().isTextual()) {
                throw new ConfigException(variable, at + ": must be a base64 string");
            }
            try {
                keys.put(key.getKey(), Base64.getDecoder().decode(key.getValue().asText()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(variable, at + ": not base64");
            }
        }
        return Optional.of(new HmacKeys(text(variable, entry + ".signingKey", node), keys));
    }

    private static <T> T token(String variable, String entry, Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable, entry + ": " + e.getMessage());
        }
    }

    private static String text(String variable, String at, JsonNode entry) {
        JsonNode value = entry.get(at.substring(at.lastIndexOf('.') + 1));
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(variable, at + ": is required (a string)");
        }
        return value.asText();
    }

    private static void unknownFields(String variable, String at, JsonNode node, Set<String> known) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new ConfigException(variable, at + name + ": unknown field (known: " + known + ")");
            }
        });
    }

    private static String readSecret(String arn, AwsClients aws) {
        try (var secrets = aws.secretsManager()) {
            return secrets.getSecretValue(b -> b.secretId(arn)).secretString();
        }
    }

    private static String readFile(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("MAILROOM_KEYS_FILE", "cannot read " + path);
        }
    }

    /** Never prints a key. */
    @Override
    public String toString() {
        return "SendKeys[dkim=" + dkim + ", unsubscribe=" + unsubscribe.map(Object::toString).orElse("none")
                + ", bounce=" + bounce.map(Object::toString).orElse("none") + "]";
    }
}
