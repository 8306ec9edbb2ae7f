package dev.mailroom.sign;

import static dev.mailroom.sign.TestSigning.ED25519;
import static dev.mailroom.sign.TestSigning.RECORDS;
import static dev.mailroom.sign.TestSigning.RSA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.sign.SigningCases.Case;
import dev.mailroom.testing.DkimVerifier;
import dev.mailroom.testing.DkimVerifier.Verdict;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signatures are judged by verifiers that are not Mailroom's code (dkimpy and OpenDKIM, see
 * {@link DkimVerifier}), on every kind of message Mailroom composes, each signed with an RSA-2048 and an
 * Ed25519 key at once: both signatures pass as sent, and both fail once the body, a signed field or the
 * set of oversigned fields changes after signing.
 */
class IndependentVerificationTest {

    private static final SigningCases CASES = new SigningCases();
    private static final List<Case> ALL = CASES.all();
    private static final Map<Case, byte[]> SIGNED = new ConcurrentHashMap<>();

    static Stream<Arguments> casesAndVerifiers() {
        return ALL.stream().flatMap(c -> DkimVerifier.all().stream().map(v -> Arguments.of(c, v)));
    }

    /** What must break both signatures: a body byte, a signed field, an oversigned field added. */
    static Stream<Arguments> casesVerifiersAndChanges() {
        List<Change> changes = List.of(
                new Change("one body byte changed", Tampering::oneBodyByteChanged),
                new Change("the Subject changed", m -> Tampering.fieldChanged(m, "Subject")),
                new Change("a second From added", m -> Tampering.fieldAddedOnTop(m, "From: Mallory <m@evil.test>")),
                new Change("a second Subject added", m -> Tampering.fieldAddedOnTop(m, "Subject: Act now")));
        return casesAndVerifiers().flatMap(pair -> changes.stream()
                .map(change -> Arguments.of(pair.get()[0], pair.get()[1], change)));
    }

    /** A named change to a signed message. */
    record Change(String name, UnaryOperator<byte[]> change) {
        byte[] apply(byte[] message) {
            return change.apply(message);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> algorithmsAndVerifiers() {
        return Stream.of(RSA, ED25519).flatMap(key -> DkimVerifier.all().stream().map(v -> Arguments.of(key, v)));
    }

    @ParameterizedTest(name = "{0} — {1}")
    @MethodSource("casesAndVerifiers")
    void bothSignaturesShouldPassOnTheMessageAsSent(Case message, DkimVerifier verifier) {
        assertThat(verify(verifier, signed(message))).hasSize(2).allSatisfy(v -> assertThat(v.pass()).isTrue());
    }

    @ParameterizedTest(name = "{0} — {1} — {2}")
    @MethodSource("casesVerifiersAndChanges")
    void bothSignaturesShouldFailWhenTheMessageChangesAfterSigning(Case message, DkimVerifier verifier, Change change) {
        assertAllFail(verify(verifier, change.apply(signed(message))), 2);
    }

    @ParameterizedTest(name = "{0} — {1}")
    @MethodSource("casesAndVerifiers")
    void bothSignaturesShouldStillPassWhenAHopAddsAReceivedField(Case message, DkimVerifier verifier) {
        byte[] relayed = Tampering.fieldAddedOnTop(signed(message),
                "Received: from mx.example.org by inbox.example.org;\r\n Tue, 11 Jun 2024 09:00:01 +0000");

        assertThat(verify(verifier, relayed)).hasSize(2).allSatisfy(v -> assertThat(v.pass()).isTrue());
    }

    @ParameterizedTest(name = "{0} — {1}")
    @MethodSource("algorithmsAndVerifiers")
    void aSignatureAloneShouldPassAndFailOnAChangedBody(DkimKey key, DkimVerifier verifier) {
        byte[] signed = TestSigning.signedAsReceived(CASES.textHtmlAndAttachments().message(), TestSigning.signer(key));

        assertThat(verify(verifier, signed)).singleElement().satisfies(v -> assertThat(v.pass()).isTrue());
        assertAllFail(verify(verifier, Tampering.oneBodyByteChanged(signed)), 1);
    }

    private static byte[] signed(Case message) {
        return SIGNED.computeIfAbsent(message,
                m -> TestSigning.signedAsReceived(m.message(), TestSigning.signer(RSA, ED25519)));
    }

    private static List<Verdict> verify(DkimVerifier verifier, byte[] message) {
        return verifier.requireInstalled().verify(message, RECORDS);
    }

    private static void assertAllFail(List<Verdict> verdicts, int signatures) {
        assertThat(verdicts).hasSize(signatures).allSatisfy(v -> assertThat(v.pass()).as(v.detail()).isFalse());
    }
}
