package dev.mailroom.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 reverse proxy on a free loopback port in front of one AWS emulator (S3Proxy,
 * dynalite), answering some requests itself instead of forwarding them: S3 {@code 503 SlowDown},
 * DynamoDB {@code ProvisionedThroughputExceededException}, or whatever a {@link FaultPolicy} says.
 *
 * <p>Point a client's endpoint at {@link #endpoint()}. Everything not faulted is forwarded byte for
 * byte (bodies streamed, so a 1 MB GetObject never sits in memory), headers included, which keeps
 * the SDK's response checksums ({@code x-amz-crc32}) valid.
 *
 * <p>The AWS SDK numbers its tries in the {@code amz-sdk-request: attempt=N; max=M} header; a fault
 * on a request's last try is counted as {@link #exhausted()}: the SDK gives up and the caller sees
 * the failure.
 */
final class FaultHttpProxy implements AutoCloseable {

    /** The parts of a request a policy may look at. */
    record ProxyRequest(String method, String path, Map<String, List<String>> headers, byte[] body, int attempt,
                        int maxAttempts) {

        String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The SDK will not try again after this request. */
        boolean lastTry() {
            return maxAttempts > 0 && attempt >= maxAttempts;
        }
    }

    /**
     * A reply the proxy gives instead of forwarding — or, with {@code forwardFirst}, after forwarding
     * and throwing the emulator's answer away: the request took effect, its reply was lost.
     */
    record CannedReply(int status, String contentType, String body, String kind, boolean forwardFirst) {

        CannedReply(int status, String contentType, String body, String kind) {
            this(status, contentType, body, kind, false);
        }

        /** This reply, given after the request has reached the emulator. */
        CannedReply afterForwarding() {
            return new CannedReply(status, contentType, body, kind, true);
        }
    }

    /** Decides per request; may block (to hold a request back). Thread-safe. */
    @FunctionalInterface
    interface FaultPolicy {
        /** @return null to forward the request, or the reply to give instead */
        CannedReply decide(ProxyRequest request);
    }

    private static final Pattern SDK_ATTEMPT = Pattern.compile("attempt=(\\d+)(?:;\\s*max=(\\d+))?");
    // java.net.http sets these itself and refuses them from callers.
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "date", "from", "via", "warning");

    private final URI upstream;
    private final FaultPolicy policy;
    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient client;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicInteger faulted = new AtomicInteger();
    private final AtomicInteger exhausted = new AtomicInteger();
    private final AtomicInteger upstreamFailures = new AtomicInteger();

    private FaultHttpProxy(URI upstream, FaultPolicy policy) throws IOException {
        this.upstream = upstream;
        this.policy = policy;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fault-http-" + upstream.getPort() + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).executor(threads)
                .build();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Starts a proxy for {@code upstream} (an http://127.0.0.1:port URI). */
    static FaultHttpProxy start(URI upstream, FaultPolicy policy) {
        try {
            return new FaultHttpProxy(upstream, policy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fault proxy for " + upstream, e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests forwarded to the emulator. */
    long forwarded() {
        return forwarded.get();
    }

    /** Requests answered with a canned reply. */
    int faulted() {
        return faulted.get();
    }

    /** Requests the emulator failed to answer (answered 502). */
    int upstreamFailures() {
        return upstreamFailures.get();
    }

    /** Canned replies given to an SDK request on its last try. */
    int exhausted() {
        return exhausted.get();
    }

    /**
     * S3's answer to a request rate it will not take; HEAD replies carry no body.
     * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)
     */
    static CannedReply s3SlowDown() {
        return new CannedReply(503, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
                + "<RequestId>FAULT</RequestId><HostId>fault-proxy</HostId></Error>", "s3-503");
    }

    /** DynamoDB throttling, as the service sends it: HTTP 400 with a typed JSON error. */
    static CannedReply dynamoThrottled() {
        return new CannedReply(400, "application/x-amz-json-1.0",
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                        + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}",
                "dynamo-throttle");
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            ProxyRequest request = read(exchange);
            CannedReply canned = policy.decide(request);
            if (canned != null && canned.forwardFirst()) {
                forward(null, request, exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders());
            }
            if (canned != null) {
                faulted.incrementAndGet();
                if (request.lastTry()) {
                    exhausted.incrementAndGet();
                }
                reply(exchange, canned);
                return;
            }
            try {
                forward(exchange, request, exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders());
            } catch (IOException e) {
                // The emulator dropped the connection (say, a pooled one it had closed): say so, as a
                // gateway would, rather than leave the client waiting for its read timeout.
                upstreamFailures.incrementAndGet();
                if (exchange.getResponseCode() < 0) {
                    reply(exchange, new CannedReply(502, "text/plain", "bad gateway: " + e, "upstream"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away (a killed worker): nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProxyRequest read(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        int attempt = 0;
        int max = 0;
        String sdk = exchange.getRequestHeaders().getFirst("amz-sdk-request");
        if (sdk != null) {
            Matcher matcher = SDK_ATTEMPT.matcher(sdk);
            if (matcher.find()) {
                attempt = Integer.parseInt(matcher.group(1));
                max = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
            }
        }
        return new ProxyRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                Map.copyOf(exchange.getRequestHeaders()), body, attempt, max);
    }

    private static void reply(HttpExchange exchange, CannedReply canned) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", canned.contentType());
        exchange.getResponseHeaders().set("x-amzn-RequestId", "fault-proxy");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(canned.status(), -1);
            return;
        }
        byte[] body = canned.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(canned.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** @param exchange where the answer goes; null to read and drop it */
    private void forward(HttpExchange exchange, ProxyRequest request, String query, Map<String, List<String>> headers)
            throws IOException, InterruptedException {
        URI target = URI.create(upstream.toString() + request.path() + (query == null ? "" : "?" + query));
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30));
        headers.forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(request.method(), request.body().length == 0 && !hasBody(request.method())
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        forwarded.incrementAndGet();
        if (exchange == null) {
            try (InputStream body = response.body()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
            return;
        }
        long length = response.headers().firstValueAsLong("content-length").orElse(-1);
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith(":") && !NOT_FORWARDED.contains(lower)) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        try (InputStream body = response.body()) {
            if ("HEAD".equals(request.method())) {
                // The object's size travels in Content-Length even though no body follows.
                if (length >= 0) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(response.statusCode(), -1);
                return;
            }
            exchange.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : Math.max(0, length));
            if (length != 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    body.transferTo(out);
                }
            }
        }
    }

    private static boolean hasBody(String method) {
        return "PUT".equals(method) || "POST".equals(method);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
