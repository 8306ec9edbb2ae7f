package dev.mailroom.events;

import static dev.mailroom.events.EventFixtures.ANN;
import static dev.mailroom.events.EventFixtures.EVENTS;
import static dev.mailroom.events.EventFixtures.job;
import static dev.mailroom.events.EventFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.events.SesMail.Header;
import dev.mailroom.feedback.RecipientResult;
import dev.mailroom.job.SendJob;
import dev.mailroom.ledger.JobStatus;
import dev.mailroom.ledger.RecipientRecord;
import dev.mailroom.ledger.RecipientStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The factories: which of Mailroom's facts land in which SES field. */
class SesEventsTest {

    @Test
    void aSuppressedRecipientShouldBounceOnTheAccountSuppressionListWithoutAnMta() {
        var event = EVENTS.bounce(job(), record(JobStatus.FAILED, EventFixtures.suppressed()), ANN);
        assertThat(event.bounce().bounceType()).isEqualTo("Permanent");
        assertThat(event.bounce().bounceSubType()).isEqualTo("OnAccountSuppressionList");
        assertThat(event.bounce().reportingMTA()).isNull();
        assertThat(event.bounce().bouncedRecipients().get(0).status()).isEqualTo("5.1.1");
        assertThat(event.bounce().bouncedRecipients().get(0).diagnosticCode()).contains("on the suppression list");
        assertThat(event.mail().tags()).doesNotContainKey("mailroom:mx-host");
    }

    @Test
    void aRefusalMailroomMetShouldBeReportedByMailroomWithTheMxInATag() {
        var event = EVENTS.bounce(job(), record(JobStatus.FAILED, EventFixtures.failed("5.1.1")), ANN);
        assertThat(event.bounce().reportingMTA()).isEqualTo("dns; mailroom.example.com");
        assertThat(event.bounce().feedbackId()).isEqualTo(event.eventId());
        assertThat(event.bounce().timestamp()).isEqualTo("2026-03-02T09:15:31.994Z");
        assertThat(event.mail().tags()).containsEntry("mailroom:mx-host", List.of("mx1.example.org"));
    }

    @Test
    void anExpiredRecipientShouldBounceTransient() {
        RecipientRecord expired = EventFixtures.deferred(3).expired(EventFixtures.AT);
        var event = EVENTS.bounce(job(), record(JobStatus.DEAD_LETTERED, expired), ANN);
        assertThat(event.bounce().bounceType()).isEqualTo("Transient");
        assertThat(event.bounce().bounceSubType()).isEqualTo("ContentRejected");
        assertThat(event.eventId()).isEqualTo(EventId.of(EventFixtures.JOB_ID, ANN, "EXPIRED", 3));
    }

    @Test
    void aDeliveredRecipientShouldNotBounceAtSendingTime() {
        assertThatThrownBy(() -> EVENTS.bounce(job(), record(JobStatus.DELIVERED, EventFixtures.delivered()), ANN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EVENTS.delivery(job(), record(JobStatus.FAILED, EventFixtures.failed("5.1.1")), ANN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLaterBounceShouldCarryTheReportsOwnFieldsAndTheClocksTime() {
        var result = EventFixtures.mailboxUnknown();
        var event = EVENTS.asyncBounce(job(), record(JobStatus.DELIVERED, EventFixtures.delivered()), ANN,
                EventFixtures.dsn(result), result);
        assertThat(event.bounce().bounceSubType()).isEqualTo("NoEmail");
        assertThat(event.bounce().reportingMTA()).isEqualTo("dns; mx1.example.org");
        assertThat(event.bounce().timestamp()).isEqualTo("2026-03-02T12:00:00.000Z");
        assertThat(event.bounce().bouncedRecipients().get(0).diagnosticCode())
                .isEqualTo("smtp; 550 5.1.1 <ann@example.org>: Recipient address rejected");
        assertThat(event.eventId()).isEqualTo(EventId.of(EventFixtures.JOB_ID, ANN, "BOUNCED", 1));
    }

    @Test
    void aPlainTextBounceWithoutCodesShouldBeUndetermined() {
        var result = new RecipientResult(ANN, Optional.empty(), RecipientResult.Action.UNKNOWN, Optional.empty(),
                Optional.empty(), Optional.of("mailbox is not reachable"), Optional.empty(),
                RecipientResult.Severity.PERMANENT);
        var event = EVENTS.asyncBounce(job(), record(JobStatus.DELIVERED, EventFixtures.delivered()), ANN,
                EventFixtures.dsn(result), result);
        assertThat(event.bounce().bounceType()).isEqualTo("Undetermined");
        assertThat(event.bounce().bouncedRecipients().get(0).action()).isEqualTo("failed");
        assertThat(event.bounce().bouncedRecipients().get(0).diagnosticCode()).isEqualTo("smtp; mailbox is not reachable");
    }

    @Test
    void theMailObjectShouldListEveryRecipientButShowNoBccHeader() {
        var mail = EVENTS.send(job(), record(JobStatus.SENDING, RecipientRecord.pending(EventFixtures.CREATED))).mail();
        assertThat(mail.destination()).containsExactly(ANN, "carl@example.net", "dora@example.net");
        assertThat(mail.headers()).extracting(Header::name)
                .containsExactly("From", "To", "Cc", "Subject", "Message-ID", "X-Campaign");
        assertThat(mail.commonHeaders().to()).containsExactly(ANN);
        assertThat(mail.source()).isEqualTo("Billing <billing@example.com>");
        assertThat(mail.messageId()).isEqualTo("inv-2026-000123@mailroom.example.com");
        assertThat(mail.commonHeaders().messageId()).isEqualTo("<inv-2026-000123@mailroom.example.com>");
        assertThat(mail.sourceArn()).isEqualTo("arn:aws:ses:eu-west-1:111122223333:identity/example.com");
        assertThat(mail.headersTruncated()).isFalse();
    }

    @Test
    void headersOverTenKilobytesShouldBeCutAndSaidToBe() {
        SendJob big = job();
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            headers.put("X-Long-" + i, "x".repeat(900));
        }
        big = new SendJob(1, big.jobId(), big.from(), null, List.of(), big.to(), List.of(), List.of(), big.subject(),
                "text", null, headers, null, List.of(), null, Map.of(), null);
        var mail = EVENTS.send(big, record(JobStatus.SENDING, RecipientRecord.pending(EventFixtures.CREATED))).mail();
        assertThat(mail.headersTruncated()).isTrue();
        int bytes = mail.headers().stream().mapToInt(h -> h.name().length() + h.value().length() + 4).sum();
        assertThat(bytes).isLessThanOrEqualTo(MailFacts.MAX_HEADER_BYTES);
    }

    @Test
    void aDeliveryShouldTimeFromAcceptanceToThe250AndReportMailroomsHost() {
        var event = EVENTS.delivery(job(), record(JobStatus.DELIVERED, EventFixtures.delivered()), ANN);
        assertThat(event.delivery().processingTimeMillis()).isEqualTo(11_893L);
        assertThat(event.delivery().reportingMTA()).isEqualTo("mailroom.example.com");
        assertThat(event.delivery().recipients()).containsExactly(ANN);
        assertThat(event.eventId()).isEqualTo(EventId.of(EventFixtures.JOB_ID, ANN, RecipientStatus.DELIVERED.name(), 1));
    }

    @Test
    void theJsonShouldWriteSesTimestampsAndNoNulls() {
        String json = EventJson.write(EVENTS.bounce(job(), record(JobStatus.FAILED, EventFixtures.suppressed()), ANN));
        assertThat(json).startsWith("{\"eventType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\"");
        assertThat(json).contains("\"timestamp\":\"2026-03-02T09:15:20.101Z\"").doesNotContain("null");
        assertThat(EventJson.write(EventFixtures.everyType().get("send"))).contains("\"send\":{}");
    }
}
