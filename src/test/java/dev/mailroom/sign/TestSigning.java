package dev.mailroom.sign;

import dev.mailroom.compose.ComposedMessage;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * The keys the signing tests use, made by openssl (src/test/resources/dkim: {@code openssl genpkey},
 * and the records from {@code openssl pkey -pubout}, so that no record a verifier trusts comes from
 * Mailroom's code), and the two passes of a send.
 */
final class TestSigning {

    static final String DOMAIN = "example.com";
    /** In the past, so that no verifier finds t= in the future on a machine whose clock is behind. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-11T09:00:00Z"), ZoneOffset.UTC);
    static final Session SESSION = Session.getInstance(new Properties());

    static final DkimKey RSA = DkimKey.fromPem(DOMAIN, "rsa2024", resource("rsa-2048.pem"));
    static final DkimKey ED25519 = DkimKey.fromPem(DOMAIN, "ed2024", resource("ed25519.pem"));

    /** The TXT records a receiver would find for both keys, as openssl computes them. */
    static final Map<String, String> RECORDS = Map.of(
            RSA.dnsName(), resource("rsa-2048.txt").strip(),
            ED25519.dnsName(), resource("ed25519.txt").strip());

    private TestSigning() {
    }

    static DkimSigner signer(DkimKey... keys) {
        return new DkimSigner(List.of(keys), List.of(), CLOCK);
    }

    /**
     * The message as a receiver gets it: pass one signs a write of the message; pass two writes it again
     * behind the signatures, and the SMTP stream's line ends are applied (RFC 5321 §2.3.8; dots
     * unstuffed again by the receiver), with the CRLF the transport adds at the end when missing.
     */
    static byte[] signedAsReceived(ComposedMessage message, DkimSigner signer) {
        try {
            byte[] signatures = signer.sign(message, SESSION);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.writeBytes(signatures);
            CRLFOutputStream data = new CRLFOutputStream(received);
            message.writeAsSent(SESSION, data);
            data.flush();
            if (!endsWithCrlf(received.toByteArray())) {
                received.writeBytes(new byte[] {'\r', '\n'});
            }
            return received.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = TestSigning.class.getResourceAsStream("/dkim/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean endsWithCrlf(byte[] bytes) {
        return bytes.length >= 2 && bytes[bytes.length - 2] == '\r' && bytes[bytes.length - 1] == '\n';
    }
}
