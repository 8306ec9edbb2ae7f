package dev.mailroom.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 6376 §3.4.2 and §3.4.4 "relaxed", held to the RFC's own example (§3.4.6) and its edge cases. */
class RelaxedCanonicalizationTest {

    @Test
    void headerFieldsShouldBeCanonicalizedAsInTheRfcExample() {
        // §3.4.6: "A: <SP> X <CRLF>" and "B <SP> : <SP> Y <HTAB><CRLF> <HTAB> Z <SP><SP><CRLF>"
        assertThat(header("A: X")).isEqualTo("a:X");
        assertThat(header("B : Y\t\r\n\tZ  ")).isEqualTo("b:Y Z");
    }

    @Test
    void aHeaderValueShouldKeepItsBytesButLoseItsFoldingAndOuterWhitespace() {
        assertThat(header("Subject:\t  =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n =?UTF-8?Q?_aus_K=C3=B6ln?=  "))
                .isEqualTo("subject:=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?Q?_aus_K=C3=B6ln?=");
        assertThat(header("X-Empty:   ")).isEqualTo("x-empty:");
        assertThat(new String(RelaxedHeader.canonicalize("Subject: Grüße".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("subject:Grüße");
    }

    @Test
    void theBodyShouldBeCanonicalizedAsInTheRfcExample() {
        // §3.4.6: "<SP> C <SP><CRLF> D <SP><HTAB><SP> E <CRLF> <CRLF> <CRLF>" becomes " C<CRLF>D E<CRLF>"
        assertThat(bodyHash(" C \r\nD \t E\r\n\r\n\r\n")).isEqualTo(sha256(" C\r\nD E\r\n"));
    }

    @Test
    void anEmptyBodyShouldHashAsNothingAndBlankLinesAloneAsEmpty() {
        // §3.4.4: empty lines at the end are ignored and no CRLF is added to an empty body (unlike "simple").
        String empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assertThat(bodyHash("")).isEqualTo(empty);
        assertThat(bodyHash("\r\n \t\r\n\r\n")).isEqualTo(empty);
    }

    @Test
    void aBodyShouldEndInOneLineEndWhetherItHadNoneOrMany() {
        assertThat(bodyHash("last line")).isEqualTo(sha256("last line\r\n"));
        assertThat(bodyHash("last line\r\n\r\n\r\n")).isEqualTo(sha256("last line\r\n"));
    }

    @Test
    void leadingEmptyLinesAndLeadingWhitespaceShouldBeKept() {
        assertThat(bodyHash("\r\n\r\n  indented\r\n")).isEqualTo(sha256("\r\n\r\n indented\r\n"));
    }

    @Test
    void theBodyHashShouldNotDependOnHowTheBytesAreChunked() {
        byte[] body = "a  b\t\r\n\r\nc \r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        RelaxedBodyHash byteByByte = new RelaxedBodyHash();
        for (byte b : body) {
            byteByByte.write(b);
        }
        assertThat(Base64.getEncoder().encodeToString(byteByByte.hash())).isEqualTo(bodyHash(new String(body,
                StandardCharsets.US_ASCII)));
    }

    private static String header(String field) {
        return new String(RelaxedHeader.canonicalize(field.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
    }

    private static String bodyHash(String body) {
        RelaxedBodyHash hash = new RelaxedBodyHash();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        hash.write(bytes, 0, bytes.length);
        return Base64.getEncoder().encodeToString(hash.hash());
    }

    private static String sha256(String canonical) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
