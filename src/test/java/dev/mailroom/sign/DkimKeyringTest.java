package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys sign a message: its From domain's, else its nearest parent's, so DMARC aligns. */
class DkimKeyringTest {

    private static final DkimKey EXAMPLE_RSA = DkimKey.fromPem("example.com", "s2026", resource("rsa-2048.pem"));
    private static final DkimKey EXAMPLE_ED = DkimKey.fromPem("example.com", "ed2026", resource("ed25519.pem"));
    private static final DkimKey MAIL_RSA = DkimKey.fromPem("mail.example.com", "m1", resource("rsa-2048.pem"));
    private static final DkimKey IDN_ED = DkimKey.fromPem("xn--bcher-kva.example", "b1", resource("ed25519.pem"));

    @Test
    void aFromDomainWithKeysShouldBeSignedByAllOfThemInOrder() {
        DkimKeyring keyring = new DkimKeyring(List.of(EXAMPLE_RSA, MAIL_RSA, EXAMPLE_ED));

        assertThat(keyring.forFrom("example.com")).containsExactly(EXAMPLE_RSA, EXAMPLE_ED);
    }

    @Test
    void aSubdomainWithoutKeysShouldBeSignedByItsNearestParentWithKeys() {
        DkimKeyring keyring = new DkimKeyring(List.of(EXAMPLE_RSA, MAIL_RSA));

        assertThat(keyring.forFrom("news.mail.example.com")).containsExactly(MAIL_RSA);
        assertThat(keyring.forFrom("billing.example.com")).containsExactly(EXAMPLE_RSA);
    }

    @Test
    void aDomainNeitherItselfNorByAParentKnownShouldHaveNoKey() {
        DkimKeyring keyring = new DkimKeyring(List.of(EXAMPLE_RSA));

        assertThat(keyring.forFrom("example.org")).isEmpty();
        assertThat(keyring.forFrom("notexample.com")).isEmpty();
        assertThat(new DkimKeyring(List.of()).isEmpty()).isTrue();
    }

    @Test
    void theFromDomainShouldMatchInAnyLetterCaseAndEitherFormOfAnInternationalizedName() {
        DkimKeyring keyring = new DkimKeyring(List.of(EXAMPLE_RSA, IDN_ED));

        assertThat(keyring.forFrom("Mail.EXAMPLE.com.")).containsExactly(EXAMPLE_RSA);
        assertThat(keyring.forFrom("bücher.example")).containsExactly(IDN_ED);
        assertThat(keyring.forFrom("XN--BCHER-KVA.example")).containsExactly(IDN_ED);
    }

    @Test
    void twoKeysUnderOneSelectorShouldBeRefusedNamingTheRecord() {
        DkimKey again = DkimKey.fromPem("EXAMPLE.com", "S2026", resource("ed25519.pem"));

        assertThatThrownBy(() -> new DkimKeyring(List.of(EXAMPLE_RSA, again)))
                .isInstanceOf(DkimException.BadKey.class)
                .hasMessageContaining("s2026._domainkey.example.com");
    }
}
