package dev.mailroom.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the send role's keys are — DKIM private keys and the unsubscribe token keys — as one JSON
 * document (README, Deliverability): a Secrets Manager secret in AWS, a file or the variable itself
 * locally. Read when first needed, not here. At most one of the variables may be set.
 */
public sealed interface KeySource {

    List<String> VARIABLES = List.of("MAILROOM_KEYS_SECRET_ARN", "MAILROOM_KEYS_FILE", "MAILROOM_KEYS");

    /** No keys: nothing is signed. */
    record None() implements KeySource {
    }

    record Secret(String arn) implements KeySource {
    }

    /** Relative key file paths inside the document are resolved against the document's directory. */
    record File(Path path) implements KeySource {
    }

    /** The document itself; never printed. */
    record Inline(String json) implements KeySource {
        @Override
        public String toString() {
            return "Inline[MAILROOM_KEYS, " + json.length() + " characters]";
        }
    }

    static KeySource from(Map<String, String> set) {
        if (set.size() > 1) {
            throw new ConfigException(String.join(", ", set.keySet()), "set one of these, not several");
        }
        if (set.containsKey("MAILROOM_KEYS_SECRET_ARN")) {
            return new Secret(set.get("MAILROOM_KEYS_SECRET_ARN"));
        }
        if (set.containsKey("MAILROOM_KEYS_FILE")) {
            return new File(Path.of(set.get("MAILROOM_KEYS_FILE")));
        }
        if (set.containsKey("MAILROOM_KEYS")) {
            return new Inline(set.get("MAILROOM_KEYS"));
        }
        return new None();
    }
}
