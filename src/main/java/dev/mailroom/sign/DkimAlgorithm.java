package dev.mailroom.sign;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;

/**
 * The two DKIM signing algorithms worth using today: {@code rsa-sha256} (RFC 6376 §3.3.1; rsa-sha1 is
 * withdrawn by RFC 8301 §3.1) and {@code ed25519-sha256} (RFC 8463). Each knows its {@code a=} and
 * {@code k=} names, how to sign the canonicalized header data and how its key is published.
 */
public enum DkimAlgorithm {

    /** RFC 6376 §3.3.1: RSASSA-PKCS1-v1_5 over the SHA-256 of the data, as SHA256withRSA does it. */
    RSA_SHA256("rsa-sha256", "rsa", "RSA", "SHA256withRSA", false) {
        @Override
        byte[] publicKeyBytes(PublicKey key) {
            // RFC 6376 §3.6.1 p=: the SubjectPublicKeyInfo DER, what every DKIM tool publishes for k=rsa.
            return key.getEncoded();
        }
    },

    /** RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data — the hash is signed, not the data. */
    ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519", "Ed25519", true) {
        @Override
        byte[] publicKeyBytes(PublicKey key) {
            // RFC 8463 §4: p= is the raw 32-byte key, not the SubjectPublicKeyInfo: the last 32 bytes
            // of the 44-byte DER, whose 12-byte prefix is fixed for Ed25519 (RFC 8410 §4).
            byte[] spki = key.getEncoded();
            if (spki.length != ED25519_SPKI_BYTES) {
                throw new IllegalArgumentException("not an Ed25519 public key: " + spki.length + " bytes encoded");
            }
            return Arrays.copyOfRange(spki, spki.length - ED25519_KEY_BYTES, spki.length);
        }
    };

    private static final int ED25519_KEY_BYTES = 32;
    private static final int ED25519_SPKI_BYTES = 44;

    private final String tag;
    private final String keyType;
    private final String jcaName;
    private final String signatureName;
    private final boolean signsHash;

    DkimAlgorithm(String tag, String keyType, String jcaName, String signatureName, boolean signsHash) {
        this.tag = tag;
        this.keyType = keyType;
        this.jcaName = jcaName;
        this.signatureName = signatureName;
        this.signsHash = signsHash;
    }

    /** The {@code a=} tag value (RFC 6376 §3.5). */
    public String tag() {
        return tag;
    }

    /** The {@code k=} tag value of the key record (RFC 6376 §3.6.1). */
    public String keyType() {
        return keyType;
    }

    /** The JCA key algorithm name: {@code RSA} or {@code Ed25519}. */
    String jcaName() {
        return jcaName;
    }

    /** The {@code b=} bytes for the canonicalized header data. */
    byte[] sign(PrivateKey key, byte[] headerData) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(signatureName);
        signature.initSign(key);
        signature.update(signsHash ? sha256(headerData) : headerData);
        return signature.sign();
    }

    /** Whether {@code signature} is {@link #sign}'s for this data and the key pair's public half. */
    boolean verify(PublicKey key, byte[] headerData, byte[] signature) throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(signatureName);
        verifier.initVerify(key);
        verifier.update(signsHash ? sha256(headerData) : headerData);
        return verifier.verify(signature);
    }

    /** The bytes the key record's {@code p=} carries, base64 encoded. */
    abstract byte[] publicKeyBytes(PublicKey key);

    static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
