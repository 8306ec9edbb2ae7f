package dev.mailroom.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mailroom.unsubscribe.HttpAnswer;
import dev.mailroom.unsubscribe.HttpRequest;
import dev.mailroom.unsubscribe.Unsubscribes;
import dev.mailroom.wiring.UnsubscribeWiring;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one-click unsubscribe function, behind a Lambda function URL: the URL's request (payload
 * format 2.0, which function URLs share with API Gateway HTTP APIs, hence
 * {@link APIGatewayV2HTTPEvent}: aws-lambda-java-events has no function-URL type of its own) to an
 * {@link HttpRequest} for {@link Unsubscribes}, and its answer back.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html">Invoking Lambda function URLs</a>
 */
public final class UnsubscribeHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Unsubscribes endpoint;

    /** Lambda's entry: the endpoint role's own wiring, once per container. */
    public UnsubscribeHandler() {
        this(UnsubscribeWiring.fromEnvironment().endpoint());
    }

    public UnsubscribeHandler(Unsubscribes endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? ""
                : event.getRequestContext().getHttp().getMethod();
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        HttpRequest request = new HttpRequest(method, event.getRawPath(), event.getRawQueryString(),
                header(event.getHeaders(), "content-type"), body(event));
        HttpAnswer answer = endpoint.handle(request);
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(answer.status())
                .withHeaders(answer.headers())
                .withBody(method.equals("HEAD") ? "" : answer.body())
                .withIsBase64Encoded(false)
                .build();
    }

    /** Function URLs give header names in lower case; compared ignoring case all the same. */
    private static Optional<String> header(Map<String, String> headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst();
    }

    /** A body that is not text (a form is not, to function URLs) comes base64-encoded. */
    private static byte[] body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (event.getIsBase64Encoded()) {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                return new byte[0]; // not the transport's encoding: an empty body, which no POST accepts
            }
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
