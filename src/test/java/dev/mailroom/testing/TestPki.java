package dev.mailroom.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI generated at test time: one self-signed CA, server certificates signed by it, and
 * self-signed "rogue" server certificates for negative tests. No key material is committed anywhere.
 *
 * <p>Keys are EC P-256 (fast to generate), certificates are valid from now-1d to now+1d, and the
 * server {@link SSLContext}s speak TLSv1.2 and TLSv1.3 (whatever the JDK enables for "TLS").
 *
 * <pre>{@code
 * TestPki pki = TestPki.create();
 * SSLContext server = pki.serverContext("mx.example.test", "127.0.0.1");
 * SSLContext client = pki.clientContext();     // trusts the CA only
 * }</pre>
 */
public final class TestPki {

    private static final String SIG_ALG = "SHA256withECDSA";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final char[] KEY_PASSWORD = "changeit".toCharArray();
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Map<List<String>, SSLContext> signed = new ConcurrentHashMap<>();
    private final Map<List<String>, SSLContext> selfSigned = new ConcurrentHashMap<>();
    private volatile SSLContext clientContext;

    private TestPki(KeyPair caKeys, X509Certificate caCert) {
        this.caKeys = caKeys;
        this.caCert = caCert;
    }

    /** Creates a fresh self-signed CA ({@code CN=Mailroom Test CA <serial>}). */
    public static TestPki create() {
        try {
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=Mailroom Test CA " + SERIALS.incrementAndGet() + ",O=Mailroom Tests");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new TestPki(keys, sign(b, keys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test CA", e);
        }
    }

    /** The CA certificate. */
    public X509Certificate caCertificate() {
        return caCert;
    }

    /**
     * A server-side {@link SSLContext} whose certificate is signed by this CA, with the given names as
     * subjectAltNames: an IP SAN for strings that are IP literals ({@code 127.0.0.1}, {@code ::1},
     * {@code [::1]}), a DNS SAN otherwise (wildcards like {@code *.example.test} allowed). The first name
     * is also the CN. Cached per (order-insensitive) set of names.
     */
    public SSLContext serverContext(String... dnsNamesOrIps) {
        List<String> key = key(dnsNamesOrIps);
        return signed.computeIfAbsent(key, k -> leafContext(k, true));
    }

    /**
     * A server-side {@link SSLContext} whose certificate is self-signed (NOT issued by this CA), with
     * the same SAN handling as {@link #serverContext}: a client trusting only {@link #trustStore()}
     * must fail to verify it. Cached per set of names.
     */
    public SSLContext selfSignedServerContext(String... names) {
        List<String> key = key(names);
        return selfSigned.computeIfAbsent(key, k -> leafContext(k, false));
    }

    /** An in-memory PKCS12 key store holding only the CA certificate (alias {@code mailroom-test-ca}). */
    public KeyStore trustStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("mailroom-test-ca", caCert);
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@link #trustStore()} as a PKCS12 file {@code test-ca-truststore.p12} in {@code dir} (created
     * if missing) and returns its path.
     */
    public Path writeTrustStore(Path dir, char[] password) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("test-ca-truststore.p12");
            try (OutputStream out = Files.newOutputStream(file)) {
                trustStore().store(out, password);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust managers that trust this CA only. */
    public TrustManagerFactory trustManagerFactory() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore());
            return tmf;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client-side {@link SSLContext} that trusts this CA only (e.g. for
     * {@code mail.smtp.ssl.socketFactory = clientContext().getSocketFactory()}).
     */
    public SSLContext clientContext() {
        SSLContext c = clientContext;
        if (c == null) {
            try {
                c = SSLContext.getInstance("TLS");
                c.init(null, trustManagerFactory().getTrustManagers(), new SecureRandom());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            clientContext = c;
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------

    private static List<String> key(String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("at least one DNS name or IP address is required");
        }
        // order-insensitive cache key, but keep the first name first (it becomes the CN)
        List<String> k = new ArrayList<>();
        k.add(names[0]);
        k.addAll(new TreeSet<>(Arrays.asList(names).subList(1, names.length)));
        return List.copyOf(k);
    }

    private SSLContext leafContext(List<String> names, boolean caSigned) {
        try {
            KeyPair keys = newKeyPair();
            X500Name subject = new X500Name("CN=" + cnSafe(names.get(0)) + ",O=Mailroom Tests");
            X500Name issuer = caSigned ? X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()) : subject;
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(issuer, subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            if (caSigned) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            }
            b.addExtension(Extension.subjectAlternativeName, false, sans(names));
            X509Certificate leaf = sign(b, caSigned ? caKeys.getPrivate() : keys.getPrivate());

            Certificate[] chain = caSigned ? new Certificate[] {leaf, caCert} : new Certificate[] {leaf};
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", keys.getPrivate(), KEY_PASSWORD, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, KEY_PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create test server certificate for " + names, e);
        }
    }

    private static GeneralNames sans(List<String> names) throws IOException {
        List<GeneralName> out = new ArrayList<>();
        for (String n : names) {
            String ip = ipLiteral(n);
            if (ip != null) {
                out.add(new GeneralName(GeneralName.iPAddress, ip));
            } else {
                out.add(new GeneralName(GeneralName.dNSName, n));
            }
        }
        return new GeneralNames(out.toArray(new GeneralName[0]));
    }

    /** The IP literal in {@code s} (without brackets), or null if {@code s} is a host name. No DNS look-up. */
    private static String ipLiteral(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean looksLikeIp = IPV4.matcher(t).matches() || (t.contains(":") && t.matches("[0-9A-Fa-f:.%]+"));
        if (!looksLikeIp) {
            return null;
        }
        try {
            // a literal, so getByName does not resolve anything
            return InetAddress.getByName(t).getHostAddress().replaceFirst("%.*$", "");
        } catch (IOException e) {
            return null;
        }
    }

    private static String cnSafe(String s) {
        return s.replaceAll("[,+=\"\\\\<>;]", "_");
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner cs = new JcaContentSignerBuilder(SIG_ALG).build(signer);
        return new JcaX509CertificateConverter().getCertificate(b.build(cs));
    }
}
