package dev.mailroom.events;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** SES's timestamps: ISO 8601 with exactly three fraction digits, UTC ({@code 2017-08-05T00:41:02.669Z}). */
final class Timestamps {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    static String iso(Instant instant) {
        return ISO_MILLIS.format(instant);
    }
}
