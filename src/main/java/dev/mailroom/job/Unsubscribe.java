package dev.mailroom.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The job's one-click unsubscribe (RFC 8058), field {@code unsubscribe}: Mailroom writes
 * {@code List-Unsubscribe: <https…>[, <mailto:…>]} and {@code List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click} into the message, where the DKIM signature covers them.
 *
 * <ul>
 * <li>{@code url} given, without {@value #TOKEN}: the application's own https URL, the same for every
 *     recipient; the job stays one message.
 * <li>{@code url} given with {@value #TOKEN}: Mailroom puts there a token naming the job, the recipient
 *     and the scope under an HMAC ({@code compose.UnsubscribeToken}), so the endpoint can trust it
 *     without a lookup; every recipient gets a message of their own.
 * <li>{@code url} omitted ({@code "unsubscribe": {}} at the least): Mailroom's own endpoint
 *     ({@code MAILROOM_UNSUBSCRIBE_URL}), with a token per recipient as above.
 * </ul>
 *
 * @param url    an https URL (RFC 8058 §3.1), may hold {@value #TOKEN}; omitted: Mailroom's endpoint
 * @param mailto a second, mailto: way to unsubscribe (RFC 2369 §3.2): a {@code mailto:} URI (RFC 6068)
 *               or a bare address; never per recipient
 * @param scope  what the recipient unsubscribes from (a list, a tenant…), named in the token; 1-64
 *               printable ASCII characters; omitted: the From address's domain
 */
public record Unsubscribe(String url, String mailto, String scope) {

    /** Where a per-recipient URL takes its token: replaced by it, URL-safe as it is. */
    public static final String TOKEN = "{token}";
    /** The longest scope, in characters. */
    public static final int MAX_SCOPE_CHARS = 64;
    /** The longest key id a token may name ({@code compose.UnsubscribeToken}). */
    public static final int MAX_KEY_ID_CHARS = 32;
    private static final int MAC_CHARS = 43; // HMAC-SHA256, 32 bytes, base64url unpadded

    /** Whether each recipient needs a message of their own (a token in the URL, or Mailroom's endpoint). */
    @JsonIgnore
    public boolean isPerRecipient() {
        return url == null || url.contains(TOKEN);
    }

    /**
     * The longest token {@code compose.UnsubscribeToken} issues for these claims, in characters
     * ({@code v1.<kid>.<job>.<recipient>.<scope>.<mac>}, base64url unpadded, the key id at its longest):
     * what intake allows for when it holds a URL to the line-length limit.
     */
    public static int maxTokenChars(String jobId, String recipient, String scope) {
        return "v1".length() + 5 + MAX_KEY_ID_CHARS + base64Chars(jobId)
                + base64Chars(recipient.toLowerCase(Locale.ROOT)) + base64Chars(scope) + MAC_CHARS;
    }

    private static int base64Chars(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return (bytes * 4 + 2) / 3;
    }
}
