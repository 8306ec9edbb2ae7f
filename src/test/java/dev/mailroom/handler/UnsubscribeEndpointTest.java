package dev.mailroom.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mailroom.aws.AwsClients;
import dev.mailroom.compose.UnsubscribeToken;
import dev.mailroom.config.UnsubscribeConfig;
import dev.mailroom.ledger.DynamoDbSuppressionList;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import dev.mailroom.ledger.SuppressionTable;
import dev.mailroom.observe.JsonLines;
import dev.mailroom.testing.AwsTestStack;
import dev.mailroom.testing.FunctionUrlServer;
import dev.mailroom.testing.TestKeys;
import dev.mailroom.testing.TestPki;
import dev.mailroom.wiring.UnsubscribeWiring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-click unsubscribe function (RFC 8058) driven by a real HTTP client over HTTPS: each request
 * becomes the function URL's event, read by the Lambda runtime's serialization library, handled by
 * {@link UnsubscribeHandler} wired from environment variables as in Lambda, on a suppression table in
 * dynalite. What is suppressed is read back through the suppression list.
 */
@Timeout(60)
class UnsubscribeEndpointTest {

    private static final String ONE_CLICK = "List-Unsubscribe=One-Click";
    private static final UnsubscribeToken TOKENS = new UnsubscribeToken("t1", Map.of("t1", TestKeys.UNSUBSCRIBE_KEY));
    private static final TestPki PKI = TestPki.create();
    private static final List<String> LOGS = new CopyOnWriteArrayList<>();

    private static DynamoDbSuppressionList list;
    private static FunctionUrlServer server;
    private static HttpClient http;
    private static UnsubscribeHandler handler;

    @BeforeAll
    static void start() {
        AwsTestStack stack = AwsTestStack.shared();
        String table = stack.uniqueName("suppression");
        SuppressionTable.createIfMissing(stack.dynamo(), table, Duration.ofSeconds(30));
        list = new DynamoDbSuppressionList(stack.dynamo(), table);
        UnsubscribeConfig config = UnsubscribeConfig.from(Map.of(
                "MAILROOM_SUPPRESSION_TABLE", table,
                "MAILROOM_KEYS", TestKeys.document("mailroom.test"),
                "MAILROOM_DYNAMODB_ENDPOINT", stack.dynamoEndpoint().toString()));
        UnsubscribeWiring wiring = new UnsubscribeWiring(config, AwsClients.create(config.endpoints(), config.region()),
                new JsonLines(LOGS::add), Clock.systemUTC());
        handler = new UnsubscribeHandler(wiring.endpoint());
        server = FunctionUrlServer.start(PKI, handler);
        http = HttpClient.newBuilder().sslContext(PKI.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aGetShouldAnswerAConfirmationPageThatPostsTheOneClickBodyAndSuppressNothing() throws Exception {
        // Given
        String token = TOKENS.issue("job-get", "get@example.org", "newsletter");

        // When
        HttpResponse<String> page = get("u/" + token);

        // Then
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(page.body()).contains("<form method=\"post\" action=\"/u/" + token + "\"")
                .contains("name=\"List-Unsubscribe\" value=\"One-Click\"");
        assertThat(suppressed("get@example.org", Optional.empty())).isEmpty();
    }

    @Test
    void aOneClickPostShouldSuppressTheRecipientGloballyWithTheJobAsSource() throws Exception {
        // Given: a list scope, which the suppression list does not know: global
        String token = TOKENS.issue("job-post", "Post@Example.org", "newsletter");

        // When
        HttpResponse<String> answer = post("u/" + token, "application/x-www-form-urlencoded", ONE_CLICK);

        // Then
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("You are unsubscribed");
        Suppression entry = suppressed("post@example.org", Optional.empty()).orElseThrow();
        assertThat(entry.scope()).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(entry.reason()).isEqualTo(SuppressionReason.UNSUBSCRIBE);
        assertThat(entry.source()).isEqualTo("job-post");
        assertThat(entry.expiresAt()).isNull();
        assertThat(LOGS).anyMatch(line -> line.contains("\"event\":\"unsubscribe.done\"") && line.contains("job-post")
                && !line.contains(token));
    }

    @Test
    void aTenantScopedTokenShouldSuppressForThatTenantOnly() throws Exception {
        // Given
        String token = TOKENS.issue("job-tenant", "tenant@example.org", "tenant:acme");

        // When
        HttpResponse<String> answer = post("u/" + token, "application/x-www-form-urlencoded", ONE_CLICK);

        // Then
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(suppressed("tenant@example.org", Optional.of("acme"))).get()
                .extracting(Suppression::scope).isEqualTo(SuppressionScope.tenant("acme"));
        assertThat(suppressed("tenant@example.org", Optional.of("other"))).isEmpty();
        assertThat(suppressed("tenant@example.org", Optional.empty())).isEmpty();
    }

    @Test
    void aRepeatedPostShouldAnswer200AgainAndKeepOneEntry() throws Exception {
        // Given
        String token = TOKENS.issue("job-twice", "twice@example.org", "newsletter");
        assertThat(post("u/" + token, "application/x-www-form-urlencoded", ONE_CLICK).statusCode()).isEqualTo(200);

        // When
        HttpResponse<String> again = post("u/" + token, "application/x-www-form-urlencoded", ONE_CLICK);

        // Then
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(list.list(Instant.now())).filteredOn(entry -> entry.address().equals("twice@example.org")).hasSize(1);
    }

    @Test
    void aMultipartOneClickPostShouldSuppressToo() throws Exception {
        // Given: RFC 8058 §3.2 allows multipart/form-data
        String token = TOKENS.issue("job-multipart", "multipart@example.org", "newsletter");
        String body = "--b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n"
                + "--b0undary--\r\n";

        // When
        HttpResponse<String> answer = post("u/" + token, "multipart/form-data; boundary=b0undary", body);

        // Then
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(suppressed("multipart@example.org", Optional.empty())).isPresent();
    }

    @Test
    void aTokenInTheQueryShouldBeFoundThere() throws Exception {
        // Given: MAILROOM_UNSUBSCRIBE_URL=https://…/unsubscribe?t={token}
        String token = TOKENS.issue("job-query", "query@example.org", "newsletter");

        // When
        HttpResponse<String> answer = post("unsubscribe?t=" + token, "application/x-www-form-urlencoded", ONE_CLICK);

        // Then
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(suppressed("query@example.org", Optional.empty())).isPresent();
    }

    @Test
    void aForgedAlteredOrRetiredTokenShouldBeRefusedWith403AndChangeNothing() throws Exception {
        // Given
        String genuine = TOKENS.issue("job-forged", "victim@example.org", "newsletter");
        String[] parts = genuine.split("\\.");
        String otherJob = Base64.getUrlEncoder().withoutPadding().encodeToString("job-other".getBytes(StandardCharsets.UTF_8));
        String otherRecipient = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("other@example.org".getBytes(StandardCharsets.UTF_8));
        List<String> refused = List.of(
                new UnsubscribeToken("t1", Map.of("t1", "someone-else's-key-of-32-bytes!!".getBytes(StandardCharsets.US_ASCII)))
                        .issue("job-forged", "victim@example.org", "newsletter"),
                String.join(".", parts[0], parts[1], otherJob, parts[3], parts[4], parts[5]),
                String.join(".", parts[0], parts[1], parts[2], otherRecipient, parts[4], parts[5]),
                genuine.substring(0, genuine.length() - 1) + (genuine.endsWith("A") ? "B" : "A"),
                // a key retired from the key document: how a token expires
                new UnsubscribeToken("t0", Map.of("t0", TestKeys.UNSUBSCRIBE_KEY)).issue("job-forged", "victim@example.org",
                        "newsletter"),
                "not-a-token");

        for (String token : refused) {
            // When
            HttpResponse<String> answer = post("u/" + token, "application/x-www-form-urlencoded", ONE_CLICK);
            HttpResponse<String> page = get("u/" + token);

            // Then
            assertThat(answer.statusCode()).as(token).isEqualTo(403);
            assertThat(page.statusCode()).as(token).isEqualTo(403);
            assertThat(page.body()).doesNotContain("<form");
        }
        assertThat(suppressed("victim@example.org", Optional.empty())).isEmpty();
        assertThat(suppressed("other@example.org", Optional.empty())).isEmpty();
    }

    @Test
    void aPostWithoutTheOneClickBodyShouldBe400AndChangeNothing() throws Exception {
        // Given
        String token = TOKENS.issue("job-nobody", "nobody@example.org", "newsletter");

        // When
        List<Integer> statuses = List.of(
                post("u/" + token, "application/x-www-form-urlencoded", "").statusCode(),
                post("u/" + token, "application/x-www-form-urlencoded", "List-Unsubscribe=Yes").statusCode(),
                post("u/" + token, "application/json", "{\"List-Unsubscribe\":\"One-Click\"}").statusCode());

        // Then
        assertThat(statuses).containsOnly(400);
        assertThat(suppressed("nobody@example.org", Optional.empty())).isEmpty();
    }

    @Test
    void otherMethodsShouldBe405AndAMissingToken404() throws Exception {
        // Given
        String token = TOKENS.issue("job-methods", "methods@example.org", "newsletter");

        // When
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(server.url().resolve("u/" + token)).DELETE().build(),
                BodyHandlers.ofString());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(server.url().resolve("u/" + token))
                .PUT(BodyPublishers.ofString(ONE_CLICK)).build(), BodyHandlers.ofString());
        HttpResponse<String> root = post("", "application/x-www-form-urlencoded", ONE_CLICK);

        // Then
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).contains("GET, HEAD, POST");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(root.statusCode()).isEqualTo(404);
        assertThat(suppressed("methods@example.org", Optional.empty())).isEmpty();
    }

    @Test
    void whatTheRequestPutsOnThePageShouldBeEscaped() throws Exception {
        // Given: quotes and markup in the query, beside a valid token
        String token = TOKENS.issue("job-escape", "escape@example.org", "newsletter");

        // When
        HttpResponse<String> page = get("u/" + token + "?x='%22%3E%3Cscript%3E&q=\"a\"".replace("\"", "%22"));

        // Then: the raw query is put in the action attribute with ' and " escaped
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("?x=&#39;%22%3E%3Cscript%3E&amp;q=%22a%22\"").doesNotContain("<script");
    }

    @Test
    void theResponseShouldComeOutUnderTheFieldNamesAFunctionUrlReads() throws Exception {
        // Given: what the runtime's serialization library writes for the handler's answer
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath("/u/" + TOKENS.issue("job-fields", "fields@example.org", "newsletter"));
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build()).build());
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, null);

        // When
        Map<String, Object> fields = FunctionUrlServer.responseFields(response);

        // Then: payload format 2.0's names (a function URL would answer 502 to others)
        assertThat(fields).containsEntry("statusCode", 200).containsKey("body");
        assertThat(fields.get("headers")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("Content-Type", "text/html; charset=utf-8");
        assertThat(fields.get("isBase64Encoded")).as("fields: %s", fields).isEqualTo(false);
    }

    private static Optional<Suppression> suppressed(String address, Optional<String> tenant) {
        return Optional.ofNullable(list.find(List.of(address), tenant, Instant.now()).get(address));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", contentType)
                .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    }
}
