package dev.mailroom.deliver;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a connection. Two contexts, built once: a verifying one (the JDK's CAs or a
 * configured trust store) and an unauthenticated one for opportunistic and required TLS, where
 * RFC 7435 (opportunistic security) accepts any certificate rather than fall back to plaintext.
 * The host name each connection's TLS layer is told is {@link SmtpSockets}' business.
 */
final class TlsContexts {

    private final SSLContext verifying;
    private final SSLContext unauthenticated;

    TlsContexts(KeyStore trustStore) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            verifying = SSLContext.getInstance("TLS");
            verifying.init(null, trust.getTrustManagers(), null);
            unauthenticated = SSLContext.getInstance("TLS");
            unauthenticated.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    /** The factory of the verifying context, or of the unauthenticated one. */
    SSLSocketFactory socketFactory(boolean verify) {
        return (verify ? verifying : unauthenticated).getSocketFactory();
    }

    private static final class AcceptAnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
