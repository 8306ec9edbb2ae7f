package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiagnosisTest {

    @Test
    void ofReplyShouldSplitTheEnhancedCodeFromTheText() {
        assertThat(Diagnosis.ofReply(550, "550 5.1.1 <bob@example.test>: no such user"))
                .isEqualTo(new Diagnosis(550, "5.1.1", "<bob@example.test>: no such user"));
    }

    @Test
    void ofReplyShouldDeriveTheEnhancedCodeFromTheReplyClassWhenTheServerSentNone() {
        assertThat(Diagnosis.ofReply(421, "421 too busy")).isEqualTo(new Diagnosis(421, "4.0.0", "too busy"));
    }

    @Test
    void ofReplyShouldIgnoreAnEnhancedCodeThatContradictsTheReplyClass() {
        // RFC 3463 §3: the class of the enhanced code must match the reply code's
        assertThat(Diagnosis.ofReply(550, "550 4.2.0 confused").enhancedCode()).isEqualTo("5.0.0");
    }

    @Test
    void ofReplyShouldJoinTheLinesOfAMultilineReply() {
        Diagnosis diagnosis = Diagnosis.ofReply(554, "554-5.7.1 rejected\n554 5.7.1 see https://example.test/policy");

        assertThat(diagnosis.enhancedCode()).isEqualTo("5.7.1");
        assertThat(diagnosis.text()).doesNotContain("\n").contains("see https://example.test/policy");
    }

    @Test
    void textShouldBeStrippedOfControlCharactersAndCappedBecauseRemoteRepliesAreUntrusted() {
        String hostile = "550 5.1.1 evil\u0000\u001b[31m\r\nInjected: header" + "x".repeat(5_000);

        Diagnosis diagnosis = Diagnosis.ofReply(550, hostile);

        assertThat(diagnosis.text()).doesNotContainPattern("\\p{Cntrl}");
        assertThat(diagnosis.text()).hasSize(Diagnosis.MAX_TEXT_LENGTH);
    }
}
