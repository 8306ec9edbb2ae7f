package dev.mailroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Obvious mistakes fail when the email is built or sent, before anything reaches AWS. */
class EmailTest {

    @TempDir
    Path dir;

    @Test
    void validateShouldRequireARecipient() {
        Email email = Email.from("billing@example.com").text("hi");

        assertThatThrownBy(email::validate).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("email: at least one recipient is required in to, cc or bcc");
    }

    @Test
    void validateShouldRequireABody() {
        Email email = Email.from("billing@example.com").to("ann@example.org").subject("hi");

        assertThatThrownBy(email::validate).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("email: a body is required: text, html or raw");
    }

    @Test
    void validateShouldRefuseARawMessageWithASubjectOrBody() throws IOException {
        Path eml = Files.writeString(dir.resolve("m.eml"), "Subject: x\r\n\r\nbody\r\n");
        Email email = Email.from("billing@example.com").to("ann@example.org").subject("hi").raw(eml);

        assertThatThrownBy(email::validate).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raw cannot be combined with subject");
    }

    @Test
    void headersShouldRefuseCrOrLfThatWouldInjectHeaders() {
        Email email = Email.from("billing@example.com");

        assertThatThrownBy(() -> email.subject("Hi\r\nBcc: victim@example.org"))
                .hasMessage("subject: contains CR or LF");
        assertThatThrownBy(() -> email.header("X-Campaign", "a\nb")).hasMessage("header X-Campaign: contains CR or LF");
        assertThatThrownBy(() -> email.header("X Bad", "v")).hasMessage("header: 'X Bad' is not a valid header name");
        assertThatThrownBy(() -> email.to("")).hasMessage("to: must not be blank");
    }

    @Test
    void attachShouldRefuseAMissingFileWhenCalled() {
        Path missing = dir.resolve("missing.pdf");

        assertThatThrownBy(() -> Email.from("billing@example.com").attach(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attach: no readable file at " + missing);
    }

    @Test
    void jobIdShouldFollowTheIntakeRule() {
        assertThatThrownBy(() -> Email.from("billing@example.com").jobId("has space"))
                .hasMessage("jobId: must be 1-200 characters of letters, digits and ._:/@+=-");
        assertThat(Email.from("billing@example.com").jobId("inv:2026/1").givenJobId()).isEqualTo("inv:2026/1");
    }

    @Test
    void keySegmentShouldKeepKeysFreeOfPathTricks() {
        assertThat(JobAssembler.keySegment("inv:2026/1")).isEqualTo("inv_2026_1");
        assertThat(JobAssembler.keySegment("..")).isEqualTo("_..");
        assertThat(JobAssembler.keySegment("Prüfbericht 1.pdf")).isEqualTo("Pr_fbericht_1.pdf");
    }
}
