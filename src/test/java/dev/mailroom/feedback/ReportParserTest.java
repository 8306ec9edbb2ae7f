package dev.mailroom.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.feedback.InboundReport.AutoReply;
import dev.mailroom.feedback.InboundReport.DeliveryStatusNotification;
import dev.mailroom.feedback.InboundReport.FeedbackReport;
import dev.mailroom.feedback.InboundReport.NotAReport;
import dev.mailroom.feedback.InboundReport.Recognition;
import dev.mailroom.feedback.RecipientResult.Action;
import dev.mailroom.feedback.RecipientResult.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The parser's key behaviours, on named messages from the real-world corpus. */
class ReportParserTest {

    private final ReportParser parser = new ReportParser();
    private final SuppressionRules rules = SuppressionRules.standard();

    private InboundReport corpus(String file) throws Exception {
        return parser.parse(Files.readAllBytes(CorpusAccuracyTest.corpus().resolve(file)));
    }

    @Test
    void parseShouldReadTheDeliveryStatusFieldsWhenTheBounceIsAnRfc3464Report() throws Exception {
        // Given a Postfix multipart/report for an unknown user
        // When it is parsed
        InboundReport report = corpus("lhost-postfix-04.eml");

        // Then the recipient, its status and diagnostic come from message/delivery-status
        assertThat(report).isInstanceOf(DeliveryStatusNotification.class);
        DeliveryStatusNotification dsn = (DeliveryStatusNotification) report;
        assertThat(dsn.recognition()).isEqualTo(Recognition.RFC3464);
        RecipientResult first = dsn.recipients().get(0);
        assertThat(first.action()).isEqualTo(Action.FAILED);
        assertThat(first.status()).contains("5.1.1");
        assertThat(first.replyCode()).contains(550);
        assertThat(first.severity()).isEqualTo(Severity.PERMANENT);
        assertThat(rules.suppresses(first)).isPresent();
    }

    @Test
    void parseShouldFindRecipientAndCodesInTheFailureTextWhenTheBounceIsPlainText() throws Exception {
        // Given a qmail bounce, which has no machine-readable part
        // When it is parsed
        InboundReport report = corpus("lhost-qmail-01.eml");

        // Then the recipient and the remote server's reply are found in its words
        assertThat(report).isInstanceOf(DeliveryStatusNotification.class);
        DeliveryStatusNotification dsn = (DeliveryStatusNotification) report;
        assertThat(dsn.recognition()).isEqualTo(Recognition.PLAIN_TEXT);
        assertThat(dsn.recipients()).isNotEmpty();
        assertThat(dsn.recipients().get(0).recipient()).contains("@");
        assertThat(dsn.recipients().get(0).severity()).isEqualTo(Severity.PERMANENT);
    }

    @Test
    void parseShouldRecoverTheOriginalMessageIdWhenTheBounceReturnsTheMessage() throws Exception {
        // Given an Exim bounce that quotes the original below its failure text
        // When it is parsed
        InboundReport report = corpus("lhost-exim-02.eml");

        // Then the original's Message-ID is recovered, and the bounce's recipients are Exim's X-Failed-Recipients
        assertThat(report).isInstanceOf(DeliveryStatusNotification.class);
        assertThat(report.original().messageId()).isPresent();
        assertThat(((DeliveryStatusNotification) report).recipients().get(0).recipient()).isEqualTo("kijitora@example.jp");
    }

    @Test
    void parseShouldClassifyAsTransientWhenTheStatusClassIsFour() throws Exception {
        // Given a Postfix delay notice (4.4.1, still retrying)
        InboundReport report = corpus("lhost-postfix-08.eml");

        // Then the result is transient and never suppresses
        RecipientResult first = ((DeliveryStatusNotification) report).recipients().get(0);
        assertThat(first.severity()).isEqualTo(Severity.TRANSIENT);
        assertThat(rules.suppresses(first)).isEmpty();
    }

    @Test
    void parseShouldReturnAFeedbackReportWhenTheMessageIsArf() throws Exception {
        // Given an ARF abuse report (RFC 5965)
        InboundReport report = corpus("arf-14.eml");

        // Then it is a complaint that suppresses
        assertThat(report).isInstanceOf(FeedbackReport.class);
        FeedbackReport feedback = (FeedbackReport) report;
        assertThat(feedback.feedbackType()).isEqualTo("abuse");
        assertThat(feedback.originalRecipients()).isNotEmpty();
        assertThat(rules.suppresses(feedback)).hasValueSatisfying(s ->
                assertThat(s.reason()).isEqualTo(SuppressionRules.Reason.COMPLAINT));
    }

    @Test
    void parseShouldReturnAnAutoReplyWhenTheMessageIsAVacationNotice() throws Exception {
        // Given out-of-office replies (RFC 3834), one of them from a no-reply address
        for (String file : new String[] {"rfc3834-03.eml", "rfc3834-04.eml", "rfc3834-05.eml", "rfc3834-06.eml"}) {
            // Then none of them is taken for a bounce
            assertThat(corpus(file)).as(file).isInstanceOf(AutoReply.class);
        }
    }

    @Test
    void parseShouldTakeABounceForABounceWhenItsMtaMarksItAutoReplied() throws Exception {
        // Given a Gmail bounce carrying "Auto-Submitted: auto-replied"
        InboundReport report = corpus("rhost-google-02.eml");

        // Then its failure subject from a system mailbox outweighs that header
        assertThat(report).isInstanceOf(DeliveryStatusNotification.class);
    }

    @Test
    void parseShouldReturnNotAReportWhenTheMessageIsOrdinaryMail() {
        // Given a person's ordinary message
        byte[] mail = ("From: Ann <ann@example.org>\r\nTo: bounces+abc@bounce.example.com\r\nSubject: Hello\r\n"
                + "Message-ID: <1@example.org>\r\n\r\nSee you at 5.\r\n").getBytes(StandardCharsets.US_ASCII);

        // When it is parsed
        InboundReport report = parser.parse(mail);

        // Then it is not a report, and the address it was sent to is kept for the token
        assertThat(report).isInstanceOf(NotAReport.class);
        assertThat(report.addressedTo()).containsExactly("bounces+abc@bounce.example.com");
    }

    @Test
    void parseShouldNotThrowWhenTheMessageIsGarbage() {
        // Given bytes that are no message at all
        InboundReport report = parser.parse(new byte[] {0, 1, 2, '\n', '\n', (byte) 0xff});

        // Then the answer is a value, not an exception
        assertThat(report).isInstanceOf(NotAReport.class);
    }
}
