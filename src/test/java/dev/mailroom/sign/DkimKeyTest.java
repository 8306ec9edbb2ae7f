package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Keys as openssl writes them, and the records they publish, held against openssl's own view of the keys. */
class DkimKeyTest {

    @Test
    void anRsaKeyShouldPublishItsSubjectPublicKeyInfo() {
        DkimKey key = DkimKey.fromPem("Example.COM", "s2026", resource("rsa-2048.pem"));

        assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
        assertThat(key.dnsName()).isEqualTo("s2026._domainkey.example.com");
        // openssl pkey -pubout -outform DER | base64
        assertThat(key.dnsRecord()).isEqualTo(resource("rsa-2048.txt").strip());
    }

    @Test
    void anEd25519KeyShouldPublishTheRaw32ByteKeyNotItsSubjectPublicKeyInfo() {
        DkimKey key = DkimKey.fromPem("example.com", "ed", resource("ed25519.pem"));

        assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.ED25519_SHA256);
        // RFC 8463 §4; openssl pkey -pubout -outform DER | tail -c 32 | base64
        assertThat(key.dnsRecord()).isEqualTo(resource("ed25519.txt").strip()).hasSize("v=DKIM1; k=ed25519; p=".length() + 44);
    }

    @Test
    void anRsaKeyShorterThan2048BitsShouldBeRefusedSayingWhy() {
        assertThatThrownBy(() -> DkimKey.fromPem("example.com", "old", resource("rsa-1024.pem")))
                .isInstanceOf(DkimException.BadKey.class)
                .hasMessage("the RSA key for old._domainkey.example.com has 1024 bits; DKIM keys need at least 2048"
                        + " (RFC 8301 §3.2)");
    }

    @Test
    void aPkcs1KeyShouldBeRefusedWithTheCommandThatConvertsIt() {
        assertThatThrownBy(() -> DkimKey.fromPem("example.com", "s", resource("rsa-2048-pkcs1.pem")))
                .isInstanceOf(DkimException.BadKey.class)
                .hasMessage("RSA PRIVATE KEY is not an unencrypted PKCS#8 private key (convert it: openssl pkcs8 -topk8 -nocrypt)");
        assertThatThrownBy(() -> DkimKey.fromPem("example.com", "s", "not a key"))
                .isInstanceOf(DkimException.BadKey.class).hasMessage("no PEM private key found");
    }

    @Test
    void namesThatAreNotAsciiDnsNamesShouldBeRefused() {
        String pem = resource("ed25519.pem");

        assertThatThrownBy(() -> DkimKey.fromPem("exämple.com", "s", pem)).isInstanceOf(DkimException.BadKey.class)
                .hasMessageContaining("'exämple.com' is not a DNS name").hasMessageContaining("xn--");
        assertThatThrownBy(() -> DkimKey.fromPem("example.com", "bad_selector", pem))
                .hasMessageStartingWith("the DKIM selector 'bad_selector' is not a DNS name");
        assertThatThrownBy(() -> DkimKey.fromPem("example.com.", "s", pem)).isInstanceOf(DkimException.BadKey.class);
    }

    @Test
    void aGeneratedKeyShouldRoundTripThroughItsPem() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            DkimKey key = DkimKey.generate("example.com", "new", algorithm, 2048);

            DkimKey read = DkimKey.fromPem("example.com", "new", key.privateKeyPem());

            assertThat(read.algorithm()).isEqualTo(algorithm);
            assertThat(read.dnsRecord()).isEqualTo(key.dnsRecord()).startsWith("v=DKIM1; k=" + algorithm.keyType() + "; p=");
        }
    }

    @Test
    void generatingAnRsaKeyOutsideWhatVerifiersAcceptShouldBeRefused() {
        assertThatThrownBy(() -> DkimKey.generate("example.com", "s", DkimAlgorithm.RSA_SHA256, 1024))
                .isInstanceOf(DkimException.BadKey.class).hasMessage("RSA keys for DKIM have 2048 to 4096 bits (RFC 8301 §3.2), not 1024");
        assertThatThrownBy(() -> DkimKey.generate("example.com", "s", DkimAlgorithm.RSA_SHA256, 8192))
                .isInstanceOf(DkimException.BadKey.class);
    }

    @Test
    void toStringShouldNameTheKeyAndNeverShowIt() {
        DkimKey key = DkimKey.fromPem("example.com", "s2026", resource("rsa-2048.pem"));

        assertThat(key).hasToString("DkimKey[s2026._domainkey.example.com, rsa-sha256]");
    }
}
