package dev.mailroom.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bounce-kind table, row by row: enhanced status code and verdict in, SES's type and subtype out. */
class BounceKindsTest {

    @ParameterizedTest(name = "{0} permanent={1} → {2}/{3}")
    @CsvSource({
            "5.1.1,  true,  Permanent, NoEmail",
            "5.1.2,  true,  Permanent, NoEmail",
            "5.1.10, true,  Permanent, NoEmail",
            "5.1.3,  true,  Permanent, General",
            "5.1.6,  true,  Permanent, General",
            "5.2.2,  true,  Transient, MailboxFull",
            "4.2.2,  false, Transient, MailboxFull",
            "5.2.3,  true,  Transient, MessageTooLarge",
            "5.3.4,  true,  Transient, MessageTooLarge",
            "5.7.1,  true,  Transient, ContentRejected",
            "5.7.26, true,  Transient, ContentRejected",
            "5.6.1,  true,  Transient, ContentRejected",
            "5.4.4,  true,  Permanent, General",
            "5.0.0,  true,  Permanent, General",
            "5.5.0,  true,  Permanent, General",
            "4.4.1,  false, Transient, General",
            "4.1.1,  false, Transient, General",
            "4.7.1,  false, Transient, ContentRejected",
            "nonsense, true, Permanent, General"})
    void theTableShouldGiveSesTypeAndSubtype(String code, boolean permanent, String type, String subType) {
        BounceKind kind = BounceKinds.of(Optional.of(code), permanent);
        assertThat(kind.type()).isEqualTo(type);
        assertThat(kind.subType()).isEqualTo(subType);
    }

    @Test
    void aFailureWithoutAStatusCodeShouldBeGeneral() {
        assertThat(BounceKinds.of(Optional.empty(), true)).isEqualTo(BounceKind.PERMANENT_GENERAL);
        assertThat(BounceKinds.of(Optional.empty(), false)).isEqualTo(BounceKind.TRANSIENT_GENERAL);
    }

    @Test
    void aSuppressedRecipientShouldBeOnTheAccountSuppressionList() {
        assertThat(BounceKinds.suppressed().type()).isEqualTo("Permanent");
        assertThat(BounceKinds.suppressed().subType()).isEqualTo("OnAccountSuppressionList");
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource({
            ",    4.4.1, TransientCommunicationFailure",
            ",    ,      TransientCommunicationFailure",
            "421, 4.4.2, TransientCommunicationFailure",
            "452, 4.2.2, MailboxFull",
            "451, 4.7.1, IPFailure",
            "450, 4.7.0, IPFailure",
            "451, 4.3.0, RecipientServerError",
            "452, 4.3.1, RecipientServerError",
            "450, ,      RecipientServerError"})
    void theDelayTableShouldGiveSesDelayType(Integer replyCode, String code, String delayType) {
        assertThat(DelayTypes.of(Optional.ofNullable(replyCode), Optional.ofNullable(code))).isEqualTo(delayType);
    }
}
