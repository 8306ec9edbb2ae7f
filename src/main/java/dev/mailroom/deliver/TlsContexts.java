package dev.mailroom.deliver;

import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a connection. Two contexts, built once: a verifying one (the JDK's CAs or a
 * configured trust store) and an unauthenticated one for opportunistic and required TLS, where
 * RFC 7435 (opportunistic security) accepts any certificate rather than fall back to plaintext.
 *
 * <p>We connect to an MX host's resolved address, so the layered socket is told the host's
 * <em>name</em>: it goes out as SNI and is what the certificate is checked against.
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

    /** A socket factory for one connection to {@code hostName}. */
    SSLSocketFactory forHost(String hostName, boolean verify) {
        return new NamedHostSocketFactory((verify ? verifying : unauthenticated).getSocketFactory(), hostName);
    }

    private static final class NamedHostSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final String hostName;

        NamedHostSocketFactory(SSLSocketFactory delegate, String hostName) {
            this.delegate = delegate;
            this.hostName = hostName;
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws java.io.IOException {
            return named(delegate.createSocket(socket, hostName, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws java.io.IOException {
            return named(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws java.io.IOException {
            return named(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws java.io.IOException {
            return named(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws java.io.IOException {
            return named(delegate.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        private Socket named(Socket socket) {
            if (socket instanceof SSLSocket ssl && isDnsName(hostName)) {
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(hostName)));
                ssl.setSSLParameters(parameters);
            }
            return socket;
        }

        // SNI carries host names only, never IP literals (RFC 6066 §3).
        private static boolean isDnsName(String name) {
            return !name.isEmpty() && !name.contains(":") && !name.matches("[0-9.]+");
        }
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
