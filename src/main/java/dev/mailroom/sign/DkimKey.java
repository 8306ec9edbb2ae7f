package dev.mailroom.sign;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A signing key with the name it is published under: the signing domain ({@code d=}) and selector
 * ({@code s=}), so that its public half is the TXT record at {@code <selector>._domainkey.<domain>}
 * (RFC 6376 §3.6.2.1). RSA keys have at least {@value #MIN_RSA_BITS} bits. Immutable; its
 * {@link #toString()} names the key and never shows it.
 */
public final class DkimKey {

    /** RFC 8301 §3.2 lets 1024 bits pass but asks for 2048; the large mailbox providers do too. */
    public static final int MIN_RSA_BITS = 2048;
    /** RFC 8301 §3.2: verifiers must handle keys up to 4096 bits; longer ones may not verify anywhere. */
    public static final int MAX_GENERATED_RSA_BITS = 4096;

    // RFC 6376 §3.1 and §3.5: d= and s= are dot-separated sub-domains (RFC 5321 §4.1.2), ASCII letters,
    // digits and hyphens; an internationalized domain is given in its A-label (xn--) form.
    private static final Pattern NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private final String domain;
    private final String selector;
    private final DkimAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private DkimKey(String domain, String selector, PrivateKey privateKey) {
        this.domain = checkName("domain", domain).toLowerCase(Locale.ROOT);
        this.selector = checkName("selector", selector).toLowerCase(Locale.ROOT);
        this.algorithm = KeyMaterial.algorithmOf(privateKey);
        if (privateKey instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new DkimException.BadKey("the RSA key for " + dnsName() + " has " + rsa.getModulus().bitLength()
                    + " bits; DKIM keys need at least " + MIN_RSA_BITS + " (RFC 8301 §3.2)");
        }
        this.privateKey = privateKey;
        this.publicKey = KeyMaterial.publicKeyOf(privateKey);
        if (!KeyMaterial.matches(algorithm, privateKey, publicKey)) {
            throw new DkimException.BadKey("the " + algorithm.keyType() + " key for " + dnsName() + " does not sign");
        }
    }

    /** @throws DkimException.BadKey when the key or a name cannot be used */
    public static DkimKey of(String domain, String selector, PrivateKey privateKey) {
        return new DkimKey(domain, selector, privateKey);
    }

    /**
     * Reads an unencrypted PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}), RSA or Ed25519.
     *
     * @throws DkimException.BadKey when it holds no such key, or one too short
     */
    public static DkimKey fromPem(String domain, String selector, String pem) {
        return new DkimKey(domain, selector, KeyMaterial.readPem(pem));
    }

    /**
     * A new key pair.
     *
     * @param rsaBits the RSA modulus length, {@value #MIN_RSA_BITS} to {@value #MAX_GENERATED_RSA_BITS};
     *                ignored for Ed25519
     */
    public static DkimKey generate(String domain, String selector, DkimAlgorithm algorithm, int rsaBits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.jcaName());
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                if (rsaBits < MIN_RSA_BITS || rsaBits > MAX_GENERATED_RSA_BITS) {
                    throw new DkimException.BadKey("RSA keys for DKIM have " + MIN_RSA_BITS + " to "
                            + MAX_GENERATED_RSA_BITS + " bits (RFC 8301 §3.2), not " + rsaBits);
                }
                generator.initialize(new RSAKeyGenParameterSpec(rsaBits, RSAKeyGenParameterSpec.F4));
            }
            KeyPair pair = generator.generateKeyPair();
            return new DkimKey(domain, selector, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + algorithm.keyType() + " keys", e);
        }
    }

    /** The signing domain, {@code d=}, lower case. */
    public String domain() {
        return domain;
    }

    /** The selector, {@code s=}, lower case. */
    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** Where the public key is published: {@code <selector>._domainkey.<domain>} (RFC 6376 §3.6.2.1). */
    public String dnsName() {
        return selector + "._domainkey." + domain;
    }

    /** The TXT record to publish at {@link #dnsName()}: {@code v=DKIM1; k=rsa; p=<base64>} (RFC 6376 §3.6.1). */
    public String dnsRecord() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p="
                + Base64.getEncoder().encodeToString(algorithm.publicKeyBytes(publicKey));
    }

    /** The private key as PKCS#8 PEM text, for the key's owner to store. */
    public String privateKeyPem() {
        return KeyMaterial.writePem(privateKey);
    }

    @Override
    public String toString() {
        return "DkimKey[" + dnsName() + ", " + algorithm.tag() + "]";
    }

    private static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new DkimException.BadKey("the DKIM " + what + " " + (name == null ? "is missing" : "'" + name
                    + "' is not a DNS name of letters, digits and hyphens (an internationalized one in its xn-- form)"));
        }
        return name;
    }
}
