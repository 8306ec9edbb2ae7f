package dev.mailroom.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.job.BounceToken;
import dev.mailroom.sign.DkimKey;
import dev.mailroom.sign.DkimKeyring;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The signing keys of the pipeline tests: the openssl-made pair in src/test/resources/dkim (an RSA
 * 2048 and an Ed25519 key), for any domain, as a key document (what MAILROOM_KEYS holds) and as the
 * TXT records, computed by openssl, that a receiver's verifier would find.
 */
public final class TestKeys {

    public static final String RSA_SELECTOR = "rsa-test";
    public static final String ED25519_SELECTOR = "ed-test";
    /** An unsubscribe token key of 32 bytes, named {@code t1}. */
    public static final byte[] UNSUBSCRIBE_KEY = "mailroom-test-unsubscribe-key-32".getBytes(StandardCharsets.US_ASCII);

    /** The VERP bounce token's key (32 bytes). */
    public static final byte[] BOUNCE_KEY = "mailroom-test-bounce-key-32bytes".getBytes(StandardCharsets.US_ASCII);

    private TestKeys() {
    }

    /** The key document for {@code domain}: both keys, the unsubscribe key and the bounce key. */
    public static String document(String domain) {
        try {
            return new ObjectMapper().writeValueAsString(Map.of(
                    "dkim", List.of(
                            Map.of("domain", domain, "selector", RSA_SELECTOR, "privateKey", resource("rsa-2048.pem")),
                            Map.of("domain", domain, "selector", ED25519_SELECTOR, "privateKey", resource("ed25519.pem"))),
                    "unsubscribe", Map.of("signingKey", "t1",
                            "keys", Map.of("t1", Base64.getEncoder().encodeToString(UNSUBSCRIBE_KEY))),
                    "bounce", Map.of("signingKey", "b1",
                            "keys", Map.of("b1", Base64.getEncoder().encodeToString(BOUNCE_KEY)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bounce token the key document's bounce key makes. */
    public static BounceToken bounceToken() {
        return new BounceToken("b1", Map.of("b1", BOUNCE_KEY));
    }

    public static DkimKeyring keyring(String domain) {
        return new DkimKeyring(List.of(rsa(domain), ed25519(domain)));
    }

    public static DkimKey rsa(String domain) {
        return DkimKey.fromPem(domain, RSA_SELECTOR, resource("rsa-2048.pem"));
    }

    public static DkimKey ed25519(String domain) {
        return DkimKey.fromPem(domain, ED25519_SELECTOR, resource("ed25519.pem"));
    }

    /** DNS name → TXT record, as openssl made them: what the verifiers check against. */
    public static Map<String, String> records(String domain) {
        return Map.of(RSA_SELECTOR + "._domainkey." + domain, resource("rsa-2048.txt").strip(),
                ED25519_SELECTOR + "._domainkey." + domain, resource("ed25519.txt").strip());
    }

    private static String resource(String name) {
        try (InputStream in = TestKeys.class.getResourceAsStream("/dkim/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
