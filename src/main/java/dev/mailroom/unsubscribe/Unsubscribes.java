package dev.mailroom.unsubscribe;

import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.observe.UnsubscribeLog;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Mailroom's one-click unsubscribe endpoint (RFC 8058), apart from any runtime: the Lambda function
 * URL's handler and the tests' HTTP server both hand it an {@link HttpRequest}.
 *
 * <ul>
 * <li>The token ({@link UnsubscribeToken}) is the URL's last path segment, as MAILROOM_UNSUBSCRIBE_URL
 *     appends it, or a query parameter's value where that URL put {@code {token}} in the query.
 * <li>{@code POST} with {@code List-Unsubscribe=One-Click} (RFC 8058 §3.2) and a valid token: the
 *     recipient goes on the suppression list — reason UNSUBSCRIBE, scope by {@link TokenScopes},
 *     source the job id, no expiry — and the answer is 200. A repeat is 200 again and writes the same
 *     single entry (its key is scope and address).
 * <li>{@code GET} (and {@code HEAD}) with a valid token: a confirmation page whose button sends that POST.
 *     A GET never unsubscribes: scanners and previews fetch every link of a message.
 * <li>A token that does not verify — forged, altered, or signed by a key retired from the key document
 *     (how a token expires) — 403; no token at all 404; a POST without the one-click field 400; other
 *     methods 405. None of them changes anything.
 * <li>The suppression list failing: 503 with Retry-After, so that the mailbox provider tries again.
 * </ul>
 */
public final class Unsubscribes {

    private static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Type", "text/html; charset=utf-8",
            // The token is in the URL: no cache keeps it, no Referer carries it away.
            "Cache-Control", "no-store",
            "Referrer-Policy", "no-referrer",
            "X-Content-Type-Options", "nosniff",
            "Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'");

    private final UnsubscribeToken tokens;
    private final SuppressionList list;
    private final Unsubscribed unsubscribed;
    private final UnsubscribeLog log;
    private final Clock clock;

    /**
     * @param tokens       verifies tokens with every key of the key document's {@code unsubscribe} keys
     * @param unsubscribed told of each unsubscribe after its entry is written (the Subscription event's seam)
     */
    public Unsubscribes(UnsubscribeToken tokens, SuppressionList list, Unsubscribed unsubscribed, UnsubscribeLog log,
                        Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.list = Objects.requireNonNull(list, "list");
        this.unsubscribed = Objects.requireNonNull(unsubscribed, "unsubscribed");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Answers {@code request}; never throws. */
    public HttpAnswer handle(HttpRequest request) {
        String method = request.method();
        if (!List.of("GET", "HEAD", "POST").contains(method)) {
            return refuse(method, 405, "Method not allowed", "This address answers GET and POST only.",
                    Map.of("Allow", "GET, HEAD, POST"));
        }
        List<String> candidates = tokenCandidates(request);
        if (candidates.isEmpty()) {
            return refuse(method, 404, "Not found", "This address needs the unsubscribe link from a message.", Map.of());
        }
        Optional<UnsubscribeToken.Claims> claims = candidates.stream().map(tokens::verify).flatMap(Optional::stream)
                .findFirst();
        if (claims.isEmpty()) {
            return refuse(method, 403, "Link not valid",
                    "This unsubscribe link is not valid, or no longer is. Use the link in a recent message.", Map.of());
        }
        if (!method.equals("POST")) {
            String action = request.rawPath() + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery());
            return answer(200, ConfirmationPage.confirm(action), Map.of());
        }
        if (!OneClickBody.isOneClick(request.contentType(), request.body())) {
            return refuse(method, 400, "Bad request",
                    "A one-click unsubscribe sends List-Unsubscribe=One-Click (RFC 8058).", Map.of());
        }
        return suppress(claims.get());
    }

    private HttpAnswer suppress(UnsubscribeToken.Claims claims) {
        Suppression entry = new Suppression(TokenScopes.suppressionScope(claims.scope()), claims.recipient(),
                SuppressionReason.UNSUBSCRIBE, claims.jobId(), clock.instant(), null);
        try {
            // put, not putIfAbsent: the recipient's own word replaces an expiring entry (a bounce's, an
            // operator's) with a lasting one; the key is scope and address, so a repeat rewrites the same item.
            list.put(entry);
        } catch (RuntimeException e) {
            return refuse("POST", 503, "Try again later", "The unsubscribe could not be recorded just now.",
                    Map.of("Retry-After", "60"), e.getClass().getSimpleName());
        }
        log.unsubscribed(claims.jobId(), claims.recipient(), entry.scope().key(), claims.scope());
        unsubscribed.unsubscribed(claims, entry);
        return answer(200, ConfirmationPage.done(), Map.of());
    }

    /** Each query value, then the last path segment: wherever MAILROOM_UNSUBSCRIBE_URL put {@code {token}}. */
    private static List<String> tokenCandidates(HttpRequest request) {
        List<String> candidates = new ArrayList<>();
        if (!request.rawQuery().isEmpty()) {
            for (String pair : request.rawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq >= 0 && eq < pair.length() - 1) {
                    candidates.add(decode(pair.substring(eq + 1)));
                }
            }
        }
        String path = request.rawPath();
        String last = decode(path.substring(path.lastIndexOf('/') + 1));
        if (!last.isEmpty()) {
            candidates.add(last);
        }
        return candidates;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text; // a bad %-escape: left as it is, and it will not verify
        }
    }

    private HttpAnswer refuse(String method, int status, String title, String explanation, Map<String, String> headers) {
        return refuse(method, status, title, explanation, headers, title);
    }

    private HttpAnswer refuse(String method, int status, String title, String explanation, Map<String, String> headers,
                              String why) {
        log.refused(method, status, why);
        return answer(status, ConfirmationPage.problem(title, explanation), headers);
    }

    private static HttpAnswer answer(int status, String page, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(PAGE_HEADERS);
        headers.putAll(extra);
        return new HttpAnswer(status, headers, page);
    }
}
