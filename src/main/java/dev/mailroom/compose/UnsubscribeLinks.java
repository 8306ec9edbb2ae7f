package dev.mailroom.compose;

import dev.mailroom.intake.UnsubscribeSupport;
import dev.mailroom.job.HeaderField;
import dev.mailroom.job.ParsedJob;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What composition needs to write a job's one-click unsubscribe fields (RFC 8058): the token issuer
 * for per-recipient URLs, and Mailroom's own endpoint. The wiring builds one from the unsubscribe keys
 * and {@code MAILROOM_UNSUBSCRIBE_URL}, and gives intake its {@link #support()}, so that intake accepts
 * exactly the jobs composition can serve.
 */
public final class UnsubscribeLinks {

    /** RFC 8058 §3.1: the POST body a one-click unsubscribe sends, and the field announcing it. */
    static final HeaderField ONE_CLICK = new HeaderField("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

    private final Supplier<Optional<UnsubscribeToken>> tokens;
    private final Optional<String> endpoint;

    private UnsubscribeLinks(Supplier<Optional<UnsubscribeToken>> tokens, Optional<String> endpoint) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** No keys and no endpoint: only a job's own fixed URL. */
    public static UnsubscribeLinks none() {
        return new UnsubscribeLinks(Optional::empty, Optional.empty());
    }

    /**
     * @param tokens   issues the per-recipient tokens (the unsubscribe keys), when there are keys
     * @param endpoint Mailroom's endpoint, a URL holding {@code {token}} ({@code MailroomConfig#unsubscribeUrl})
     * @throws IllegalArgumentException for an endpoint without tokens to put in it
     */
    public static UnsubscribeLinks of(Optional<UnsubscribeToken> tokens, Optional<String> endpoint) {
        new UnsubscribeSupport(tokens.isPresent(), endpoint); // the same rules, stated once
        return new UnsubscribeLinks(() -> tokens, endpoint);
    }

    /**
     * Links whose keys are read later (the key document, read once per container, after a SnapStart
     * restore): {@code tokens} is asked at each use. The wiring checks, once it has read them, that an
     * endpoint has keys to go with it.
     */
    public static UnsubscribeLinks readLater(Supplier<Optional<UnsubscribeToken>> tokens, Optional<String> endpoint) {
        return new UnsubscribeLinks(tokens, endpoint);
    }

    /** What intake may accept: tokens only with keys, a job without a URL only with an endpoint. */
    public UnsubscribeSupport support() {
        return new UnsubscribeSupport(tokens.get().isPresent(), endpoint);
    }

    /**
     * The List-Unsubscribe and List-Unsubscribe-Post fields of the job's message, or of one recipient's
     * message when the URL names each recipient; none for a job without {@code unsubscribe}.
     *
     * @param recipient the envelope address whose token the URL carries; needed for a per-recipient job
     */
    List<HeaderField> fields(ParsedJob parsed, Optional<String> recipient) {
        if (parsed.unsubscribe().isEmpty()) {
            return List.of();
        }
        ParsedJob.ListUnsubscribe link = parsed.unsubscribe().get();
        String token = "";
        if (link.isPerRecipient()) {
            String address = recipient.orElseThrow(() -> new IllegalArgumentException(
                    "a per-recipient unsubscribe URL needs the recipient"));
            token = tokens.get().orElseThrow(() -> new IllegalStateException("intake accepted an unsubscribe token, "
                    + "but composition has no unsubscribe keys: wire both from one UnsubscribeLinks"))
                    .issue(parsed.job().jobId(), address, link.scope());
        }
        // The https URL is always there (intake sees to it), so one-click always applies.
        return List.of(new HeaderField("List-Unsubscribe", link.fieldValue(token)), ONE_CLICK);
    }

    @Override
    public String toString() {
        return "UnsubscribeLinks[endpoint=" + endpoint.orElse("none") + "]";
    }
}
