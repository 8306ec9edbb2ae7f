package dev.mailroom.sign;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Private keys as PEM text (PKCS#8, RFC 5208 and RFC 7468 §10, what {@code openssl genpkey} writes)
 * and the public key each implies. Error messages describe the text, never its content.
 */
final class KeyMaterial {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern ANY_PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
    private static final int PEM_LINE_CHARS = 64;
    private static final byte[] PROBE = "DKIM key pair check".getBytes(StandardCharsets.US_ASCII);

    private KeyMaterial() {
    }

    /** The one PKCS#8 private key (RSA or Ed25519) in {@code pem}. */
    static PrivateKey readPem(String pem) {
        Matcher block = PKCS8.matcher(pem);
        if (!block.find()) {
            Matcher other = ANY_PEM.matcher(pem);
            throw new DkimException.BadKey(other.find() ? other.group(1) + " is not an unencrypted PKCS#8 private key"
                    + " (convert it: openssl pkcs8 -topk8 -nocrypt)" : "no PEM private key found");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(block.group(1));
        } catch (IllegalArgumentException e) {
            throw new DkimException.BadKey("the PEM private key is not valid base64");
        }
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            try {
                return KeyFactory.getInstance(algorithm.jcaName()).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException notThisKind) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks " + algorithm.jcaName(), e);
            }
        }
        throw new DkimException.BadKey("the PEM private key is neither RSA nor Ed25519");
    }

    static String writePem(PrivateKey key) {
        String base64 = Base64.getMimeEncoder(PEM_LINE_CHARS, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }

    static DkimAlgorithm algorithmOf(PrivateKey key) {
        if (key instanceof RSAPrivateCrtKey) {
            return DkimAlgorithm.RSA_SHA256;
        }
        if (key instanceof EdECPrivateKey ed && "Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
            return DkimAlgorithm.ED25519_SHA256;
        }
        throw new DkimException.BadKey(key.getAlgorithm() + " private key: DKIM signs with RSA (in CRT form,"
                + " as PKCS#8 keys are) or Ed25519 (RFC 8463)");
    }

    /** The public half of {@code key}, which {@link #algorithmOf} accepts. */
    static PublicKey publicKeyOf(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            return ed25519PublicKeyOf((EdECPrivateKey) key);
        } catch (GeneralSecurityException e) {
            throw new DkimException.BadKey("could not derive the public key", e);
        }
    }

    /** Whether {@code publicKey} verifies what {@code privateKey} signs. */
    static boolean matches(DkimAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey) {
        try {
            return algorithm.verify(publicKey, PROBE, algorithm.sign(privateKey, PROBE));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * JDK 17 has no API from an Ed25519 private key to its public key, but its key pair generator
     * computes the public key from 32 random bytes (RFC 8032 §5.1.5): given the private key's own
     * bytes as the randomness, it yields the matching public key. The caller checks the pair.
     */
    private static PublicKey ed25519PublicKeyOf(EdECPrivateKey key) throws GeneralSecurityException {
        byte[] seed = key.getBytes().orElseThrow(() -> new DkimException.BadKey("the Ed25519 key hides its bytes"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
        return generator.generateKeyPair().getPublic();
    }

    /** Randomness that is one given seed: used only to rebuild a key pair from its private key. */
    private static final class SeedRandom extends SecureRandom {
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("asked for " + bytes.length + " bytes, not a " + seed.length + "-byte seed");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
