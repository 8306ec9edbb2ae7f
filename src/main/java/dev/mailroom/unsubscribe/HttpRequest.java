package dev.mailroom.unsubscribe;

import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request as the endpoint needs it, whatever runtime carried it (a Lambda function URL's
 * payload 2.0, a test's HTTP server): the body already decoded from any base64 transport encoding.
 *
 * @param method      upper case ({@code GET}, {@code POST})
 * @param rawPath     the raw path, still percent-encoded ({@code /u/v1.k1.…})
 * @param rawQuery    the raw query without {@code ?}, or empty
 * @param contentType the Content-Type field's value, or empty
 * @param body        the request body; empty for none
 */
public record HttpRequest(String method, String rawPath, String rawQuery, Optional<String> contentType, byte[] body) {

    public HttpRequest {
        Objects.requireNonNull(method, "method");
        rawPath = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        rawQuery = rawQuery == null ? "" : rawQuery;
        contentType = contentType == null ? Optional.empty() : contentType;
        body = body == null ? new byte[0] : body;
    }
}
