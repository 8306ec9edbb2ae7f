package dev.mailroom.config;

import dev.mailroom.job.AddressForm;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The bounce-intake role's configuration: the stores every role has ({@link StoreConfig}), the
 * bounce domain whose VERP addresses it reads, the key document holding the bounce keys, and the
 * suppression list, when there is one. Read once at cold start; a missing or malformed variable
 * fails fast naming it.
 *
 * @param bounceDomain     MAILROOM_BOUNCE_DOMAIN, an A-label
 * @param keys             where the bounce keys are (MAILROOM_KEYS_SECRET_ARN and the local forms)
 * @param suppressionTable MAILROOM_SUPPRESSION_TABLE; empty: nothing is added to a list
 */
public record BounceConfig(StoreConfig store, String bounceDomain, KeySource keys, Optional<String> suppressionTable) {

    /** Variables the bounce function must have beside the Globals (FunctionEnvironmentTest). */
    public static final List<String> REQUIRED_VARIABLES = List.of("MAILROOM_BOUNCE_DOMAIN");

    /** Every variable read here. */
    public static final List<String> KNOWN_VARIABLES = Stream.concat(Stream.concat(
            StoreConfig.KNOWN_VARIABLES.stream(), KeySource.VARIABLES.stream()),
            Stream.of("MAILROOM_BOUNCE_DOMAIN", "MAILROOM_SUPPRESSION_TABLE")).toList();

    public static BounceConfig from(Map<String, String> variables) {
        Environment env = new Environment(variables);
        StoreConfig store = StoreConfig.from(env);
        String domain = env.required("MAILROOM_BOUNCE_DOMAIN");
        KeySource keys = MailroomConfig.keySource(env);
        if (keys instanceof KeySource.None) {
            throw new ConfigException("MAILROOM_BOUNCE_DOMAIN", "needs the bounce keys: set one of "
                    + String.join(", ", KeySource.VARIABLES));
        }
        try {
            domain = AddressForm.domain(domain.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MAILROOM_BOUNCE_DOMAIN", "not a domain name");
        }
        return new BounceConfig(store, domain, keys, env.optional("MAILROOM_SUPPRESSION_TABLE"));
    }
}
