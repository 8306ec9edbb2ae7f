package dev.mailroom.feedback;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a report reveals of the message it is about: the returned headers (from a message/rfc822 or
 * text/rfc822-headers part, RFC 3462 §2 and RFC 5965 §2, or quoted in a plain-text bounce), and the
 * fields the intake needs from them. Empty when the report returned nothing.
 */
public record OriginalMessage(Optional<String> messageId, Optional<String> returnPath, Optional<String> from,
        List<String> to, Optional<String> subject, List<Header> headers) {

    public static final OriginalMessage NONE = new OriginalMessage(Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), Optional.empty(), List.of());

    public OriginalMessage {
        to = List.copyOf(to);
        headers = List.copyOf(headers);
    }

    /** The first value of a returned header, by case-insensitive name. */
    public Optional<String> header(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.name().toLowerCase(Locale.ROOT).equals(wanted))
                .map(Header::value).findFirst();
    }

    /** One returned header field, unfolded. */
    public record Header(String name, String value) {
    }
}
