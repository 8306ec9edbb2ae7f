package dev.mailroom.events;

import java.util.Objects;
import java.util.Optional;

/**
 * Who publishes: what SES fills in from its own side of a send.
 *
 * @param reportingHost    the host name Mailroom sends as (its EHLO name): a Delivery's
 *                         {@code reportingMTA}, and {@code dns; <host>} for a bounce Mailroom met itself
 * @param sourceArn        {@code mail.sourceArn}, when the deployment names one; else absent
 * @param sendingAccountId {@code mail.sendingAccountId}, the AWS account, when known; else absent
 */
public record EventOrigin(String reportingHost, Optional<String> sourceArn, Optional<String> sendingAccountId) {

    public EventOrigin {
        Objects.requireNonNull(reportingHost, "reportingHost");
        Objects.requireNonNull(sourceArn, "sourceArn");
        Objects.requireNonNull(sendingAccountId, "sendingAccountId");
    }

    /** An origin that names no ARN and no account. */
    public static EventOrigin of(String reportingHost) {
        return new EventOrigin(reportingHost, Optional.empty(), Optional.empty());
    }
}
