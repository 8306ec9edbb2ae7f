package dev.mailroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.intake.IntakeResult;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.intake.JobLimits;
import dev.mailroom.intake.SenderPolicy;
import dev.mailroom.intake.UnsubscribeSupport;
import dev.mailroom.job.ParsedJob;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the client's builder asks for as one-click unsubscribe, the intake reads from its JSON as meant. */
class UnsubscribeContractTest {

    private static final String ENDPOINT = "https://u.mailroom.test/u/{token}";
    private static final JobIntake INTAKE = new JobIntake(JobLimits.defaults(), new SenderPolicy(Set.of("example.com")),
            Set.of(), new UnsubscribeSupport(true, Optional.of(ENDPOINT)));

    private static ParsedJob accepted(Email email) {
        email.validate();
        String json = JobJson.write(new JobAssembler(1024, () -> "unused").assemble(email, "job-1").job());
        IntakeResult result = INTAKE.accept(json, "sqs-1");
        assertThat(result).isInstanceOf(IntakeResult.Accepted.class);
        return ((IntakeResult.Accepted) result).parsed();
    }

    private static Email news() {
        return Email.from("News <news@example.com>").to("ann@example.org").text("News");
    }

    @Test
    void mailroomsEndpointShouldBeWhatAnEmailWithoutUrlGets() {
        ParsedJob parsed = accepted(news().unsubscribe().unsubscribeMailto("unsub@example.com").unsubscribeScope("news"));

        assertThat(parsed.unsubscribe()).contains(
                new ParsedJob.ListUnsubscribe(ENDPOINT, Optional.of("mailto:unsub@example.com"), "news"));
    }

    @Test
    void theApplicationsOwnUrlShouldTravelAsGiven() {
        assertThat(accepted(news().unsubscribe("https://example.com/u/{token}")).unsubscribe())
                .contains(new ParsedJob.ListUnsubscribe("https://example.com/u/{token}", Optional.empty(), "example.com"));
        assertThat(accepted(news().unsubscribe("https://example.com/u/1")).isPerRecipient()).isFalse();
    }

    @Test
    void anEmailWithoutUnsubscribeShouldHaveNoField() {
        assertThat(JobJson.write(new JobAssembler(1024, () -> "unused").assemble(news(), "job-1").job()))
                .doesNotContain("unsubscribe");
        assertThat(accepted(news()).unsubscribe()).isEmpty();
    }

    @Test
    void theBuilderShouldRefuseWhatTheIntakeWould() {
        assertThatThrownBy(() -> news().unsubscribe("http://example.com/u")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsubscribe url: must be an https URL (RFC 8058)");
        assertThatThrownBy(() -> news().unsubscribeMailto("u@example.com").validate())
                .hasMessage("email: an unsubscribe mailto or scope needs unsubscribe() or unsubscribe(url)");
        assertThatThrownBy(() -> news().header("List-Unsubscribe", "<https://x.test>").unsubscribe().validate())
                .hasMessage("email: unsubscribe writes List-Unsubscribe; do not set it as a header too");
    }
}
