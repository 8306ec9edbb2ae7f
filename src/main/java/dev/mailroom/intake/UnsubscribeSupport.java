package dev.mailroom.intake;

import dev.mailroom.job.Unsubscribe;
import java.util.Objects;
import java.util.Optional;

/**
 * What this deployment can fill into a job's {@code unsubscribe} URL, so that intake refuses at once a
 * job that asks for more: tokens need unsubscribe keys, a job naming no URL needs Mailroom's own
 * endpoint. Built by the wiring from the same keys and setting composition uses
 * ({@code compose.UnsubscribeLinks#support()}).
 *
 * @param issuesTokens whether Mailroom holds unsubscribe keys to sign {@value Unsubscribe#TOKEN}s with
 * @param endpoint     Mailroom's unsubscribe endpoint ({@code MAILROOM_UNSUBSCRIBE_URL}), a URL holding
 *                     {@value Unsubscribe#TOKEN}: where a job that names no URL sends its recipients
 */
public record UnsubscribeSupport(boolean issuesTokens, Optional<String> endpoint) {

    public UnsubscribeSupport {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.isPresent() && !(issuesTokens && endpoint.get().contains(Unsubscribe.TOKEN))) {
            throw new IllegalArgumentException("an unsubscribe endpoint needs tokens, and a " + Unsubscribe.TOKEN
                    + " in its URL");
        }
    }

    /** No keys, no endpoint: only a job's own fixed URL is accepted. */
    public static UnsubscribeSupport none() {
        return new UnsubscribeSupport(false, Optional.empty());
    }
}
