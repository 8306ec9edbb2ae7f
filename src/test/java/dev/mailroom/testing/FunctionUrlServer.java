package dev.mailroom.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Lambda function URL on a free local port: HTTPS (a certificate of {@link TestPki}'s CA for
 * {@code localhost}) in, the function URL's event (payload format 2.0) out, as Lambda builds it —
 * lower-case header names joined by commas, a non-text body base64-encoded — read by the Lambda
 * runtime's own serialization library into the handler's event type; the handler's response written
 * by the same library and turned back into HTTP. Nothing of the handler is bypassed.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html">Function URL payloads</a>
 */
public final class FunctionUrlServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClassLoader RUNTIME = FunctionUrlServer.class.getClassLoader();
    private static final PojoSerializer<APIGatewayV2HTTPEvent> EVENTS = serializer(APIGatewayV2HTTPEvent.class);
    private static final PojoSerializer<APIGatewayV2HTTPResponse> RESPONSES = serializer(APIGatewayV2HTTPResponse.class);

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler;

    private FunctionUrlServer(TestPki pki, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler)
            throws IOException {
        this.handler = handler;
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext("localhost", "127.0.0.1")));
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    public static FunctionUrlServer start(TestPki pki,
                                          RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        try {
            return new FunctionUrlServer(pki, handler);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the function URL server", e);
        }
    }

    /** The function URL, {@code https://localhost:<port>/}. */
    public URI url() {
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/");
    }

    /** The runtime's choice (aws-lambda-java-runtime-interface-client's EventHandlerLoader). */
    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        return LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, RUNTIME)
                : JacksonFactory.getInstance().getSerializer(type);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            APIGatewayV2HTTPEvent event = EVENTS.fromJson(new ByteArrayInputStream(eventJson(exchange, body)));
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, TestContexts.lambda(Duration.ofSeconds(3)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RESPONSES.toJson(response, out);
            respond(exchange, JSON.readTree(out.toByteArray()));
        } catch (RuntimeException e) {
            // What Lambda answers for a function error.
            exchange.sendResponseHeaders(502, -1);
        }
    }

    /** The function URL's request event, as in the Lambda developer guide's example payload. */
    static byte[] eventJson(HttpExchange exchange, byte[] body) throws IOException {
        URI uri = exchange.getRequestURI();
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", uri.getRawPath());
        event.put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        ObjectNode headers = event.putObject("headers");
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "anonymous");
        context.put("apiId", "mailroomtest");
        context.put("domainName", "localhost");
        context.put("domainPrefix", "mailroomtest");
        ObjectNode http = context.putObject("http");
        http.put("method", exchange.getRequestMethod());
        http.put("path", uri.getPath());
        http.put("protocol", exchange.getProtocol());
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", exchange.getRequestHeaders().getFirst("User-Agent"));
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("timeEpoch", Instant.now().toEpochMilli());
        if (body.length > 0) {
            boolean text = isText(exchange.getRequestHeaders().getFirst("Content-Type"));
            event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", !text);
        } else {
            event.put("isBase64Encoded", false);
        }
        return JSON.writeValueAsBytes(event);
    }

    /** Lambda passes these as text and base64-encodes the rest (a form included). */
    private static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || List.of("application/json", "application/xml", "application/javascript")
                .stream().anyMatch(type::startsWith);
    }

    private static void respond(HttpExchange exchange, JsonNode response) throws IOException {
        JsonNode headers = response.path("headers");
        headers.fields().forEachRemaining(field -> exchange.getResponseHeaders().add(field.getKey(), field.getValue().asText()));
        String text = response.path("body").asText("");
        byte[] body = response.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(text)
                : text.getBytes(StandardCharsets.UTF_8);
        int status = response.path("statusCode").asInt(200);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The response event as the runtime wrote it, for tests that check its field names. */
    public static Map<String, Object> responseFields(APIGatewayV2HTTPResponse response) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RESPONSES.toJson(response, out);
        return JSON.readValue(out.toByteArray(), Map.class);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
