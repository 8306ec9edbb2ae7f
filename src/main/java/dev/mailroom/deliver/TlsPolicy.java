package dev.mailroom.deliver;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a connection uses TLS, named for the trust it gives (as KumoMTA names its modes): only
 * {@link #VERIFY} authenticates the server; the others at most encrypt against a passive listener.
 * Each is selected by its {@link #setting()}, the value of {@code MAILROOM_TLS}.
 */
public enum TlsPolicy {
    /** Never STARTTLS. */
    NONE("none"),
    /** STARTTLS when the server offers it, certificate not checked (RFC 3207 §4.1 practice). Default in MX mode. */
    OPPORTUNISTIC("opportunistic"),
    /**
     * STARTTLS must happen; a server that doesn't offer it defers the mail. Certificate not checked:
     * whoever answers in the server's place is trusted (KumoMTA's {@code RequiredInsecure}).
     */
    REQUIRED_INSECURE("required"),
    /** STARTTLS (or implicit TLS) with the certificate chain and host name verified. Default in relay mode. */
    VERIFY("verify");

    private final String setting;

    TlsPolicy(String setting) {
        this.setting = setting;
    }

    /** The value of {@code MAILROOM_TLS} that selects this policy; {@code required} is what users have always set. */
    public String setting() {
        return setting;
    }

    /** The policy {@code setting} selects, in any letter case. */
    public static Optional<TlsPolicy> ofSetting(String setting) {
        return Arrays.stream(values()).filter(policy -> policy.setting.equalsIgnoreCase(setting)).findFirst();
    }

    /** Every value {@code MAILROOM_TLS} may take, in order. */
    public static List<String> settings() {
        return Arrays.stream(values()).map(TlsPolicy::setting).toList();
    }

    boolean startTls() {
        return this != NONE;
    }

    boolean mustEncrypt() {
        return this == REQUIRED_INSECURE || this == VERIFY;
    }
}
