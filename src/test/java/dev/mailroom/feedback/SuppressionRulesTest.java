package dev.mailroom.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.feedback.RecipientResult.Action;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The suppression table against replies real servers send. */
class SuppressionRulesTest {

    private final SuppressionRules rules = SuppressionRules.standard();

    private static RecipientResult failed(String status, int reply, String diagnostic) {
        Optional<String> code = Optional.ofNullable(status);
        return new RecipientResult("ann@example.org", Optional.empty(), Action.FAILED, code, Optional.of(reply),
                Optional.of(diagnostic), Optional.empty(),
                StatusClassifier.classify(code, Optional.of(reply), Action.FAILED, diagnostic));
    }

    @Test
    void suppressesShouldSuppressWhenTheMailboxDoesNotExist() {
        assertThat(rules.suppresses(failed("5.1.1", 550, "550 5.1.1 The email account that you tried to reach does not exist.")))
                .isPresent();
        assertThat(rules.suppresses(failed("5.1.10", 550, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found")))
                .isPresent();
    }

    @Test
    void suppressesShouldKeepWhenTheServerBlocksTheSenderOrTheContent() {
        assertThat(rules.suppresses(failed("5.7.1", 550, "550 5.7.1 Message rejected as spam by Content Filtering"))).isEmpty();
        assertThat(rules.suppresses(failed("5.7.26", 550, "550 5.7.26 Unauthenticated email is not accepted due to DMARC policy")))
                .isEmpty();
        assertThat(rules.suppresses(failed("5.2.1", 550, "550 5.2.1 This message was blocked because its content presents a "
                + "potential security issue (spam)"))).isEmpty();
    }

    @Test
    void suppressesShouldKeepWhenTheMailboxIsFull() {
        assertThat(rules.suppresses(failed("5.2.2", 552, "552 5.2.2 The email account is over quota"))).isEmpty();
    }

    @Test
    void suppressesShouldKeepWhenTheFailureIsTransient() {
        assertThat(rules.suppresses(failed("4.1.1", 450, "450 4.1.1 <ann@example.org>: Recipient address rejected: User unknown")))
                .isEmpty();
    }

    @Test
    void suppressesShouldSuppressWhenOnlyTheWordingSaysTheUserIsUnknown() {
        assertThat(rules.suppresses(failed(null, 550, "550 Requested action not taken: mailbox unavailable, no such user here")))
                .isPresent();
    }
}
