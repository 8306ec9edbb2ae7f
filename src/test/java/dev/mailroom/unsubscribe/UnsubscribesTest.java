package dev.mailroom.unsubscribe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionScope;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.observe.UnsubscribeLog;
import dev.mailroom.testing.InMemorySuppressionList;
import dev.mailroom.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The endpoint's branches in milliseconds, on the in-memory list (the HTTP path: UnsubscribeEndpointTest). */
class UnsubscribesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final UnsubscribeToken TOKENS = new UnsubscribeToken("t1", Map.of("t1", TestKeys.UNSUBSCRIBE_KEY));
    private static final Optional<String> FORM = Optional.of("application/x-www-form-urlencoded");

    private final InMemorySuppressionList list = new InMemorySuppressionList();
    private final List<String> logs = new ArrayList<>();
    private final List<Suppression> told = new ArrayList<>();
    private final Unsubscribes endpoint = endpointOn(list);

    private Unsubscribes endpointOn(dev.mailroom.ledger.SuppressionList on) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new Unsubscribes(TOKENS, on, (claims, entry) -> told.add(entry), new UnsubscribeLog(new JsonLines(logs::add), clock),
                clock);
    }

    private static HttpRequest post(String token, String body) {
        return new HttpRequest("POST", "/u/" + token, "", FORM, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void scopesShouldMapTenantPrefixedOnesToTheTenantAndEverythingElseToGlobal() {
        assertThat(TokenScopes.suppressionScope("tenant:acme")).isEqualTo(SuppressionScope.tenant("acme"));
        assertThat(TokenScopes.suppressionScope("tenant:a#b")).isEqualTo(SuppressionScope.tenant("a#b"));
        assertThat(TokenScopes.suppressionScope("tenant:")).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(TokenScopes.suppressionScope("tenant: ")).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(TokenScopes.suppressionScope("example.com")).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(TokenScopes.suppressionScope("Tenant:acme")).isEqualTo(SuppressionScope.GLOBAL);
    }

    @Test
    void aOneClickPostShouldWriteTheEntryAtTheClocksTimeAndTellTheSeam() {
        // When
        HttpAnswer answer = endpoint.handle(post(TOKENS.issue("job-1", "ann@example.org", "news"), "List-Unsubscribe=One-Click"));

        // Then
        assertThat(answer.status()).isEqualTo(200);
        Suppression entry = list.find(List.of("ann@example.org"), Optional.empty(), NOW).get("ann@example.org");
        assertThat(entry.at()).isEqualTo(NOW);
        assertThat(told).containsExactly(entry);
    }

    @Test
    void theOneClickFieldShouldBeFoundBesideOthersAndPercentEncoded() {
        String token = TOKENS.issue("job-2", "bob@example.org", "news");

        assertThat(endpoint.handle(post(token, "a=b&List-Unsubscribe=One-Click&c=d")).status()).isEqualTo(200);
        assertThat(endpoint.handle(post(token, "List%2DUnsubscribe=One%2DClick\r\n")).status()).isEqualTo(200);
        assertThat(endpoint.handle(post(token, "List-Unsubscribe=one-click")).status()).isEqualTo(400);
        assertThat(endpoint.handle(post(token, "List-Unsubscribe=One-Click".repeat(1000))).status()).isEqualTo(400);
    }

    @Test
    void aListThatFailsShouldAnswer503WithRetryAfterAndTellNobody() {
        // Given
        Unsubscribes down = endpointOn(new dev.mailroom.ledger.SuppressionList() {
            @Override
            public Map<String, Suppression> find(java.util.Collection<String> a, Optional<String> t, Instant n) {
                return Map.of();
            }

            @Override
            public void put(Suppression entry) {
                throw new IllegalStateException("DynamoDB unreachable");
            }

            @Override
            public boolean putIfAbsent(Suppression entry, Instant now) {
                throw new IllegalStateException("DynamoDB unreachable");
            }

            @Override
            public boolean remove(SuppressionScope scope, String address) {
                return false;
            }

            @Override
            public List<Suppression> list(Instant now) {
                return List.of();
            }
        });

        // When
        HttpAnswer answer = down.handle(post(TOKENS.issue("job-3", "cy@example.org", "news"), "List-Unsubscribe=One-Click"));

        // Then
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.headers()).containsEntry("Retry-After", "60");
        assertThat(told).isEmpty();
        assertThat(logs).anyMatch(line -> line.contains("\"status\":503") && line.contains("IllegalStateException"));
    }

    @Test
    void escapeShouldCoverMarkupAndBothQuotes() {
        assertThat(ConfirmationPage.escape("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    }
}
