package dev.mailroom.intake;

import dev.mailroom.job.BounceToken;
import dev.mailroom.job.Envelope;
import dev.mailroom.job.SendJob;
import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where bounces go ({@code MAILROOM_BOUNCE_DOMAIN}): each recipient's MAIL FROM becomes
 * {@code bounces+<token>@<bounce domain>} ({@link BounceToken}), so that a later bounce names its job
 * and recipient.
 *
 * <p>A job that names its own {@code envelopeFrom} keeps it, and gets no VERP: the application chose
 * where its bounces go (its own bounce processing, its own SPF record), and refusing it would break
 * jobs that were valid before the bounce domain was configured; Mailroom then sees no asynchronous
 * bounce for that job. A job whose id does not fit in a token (RFC 5321 §4.5.3.1.1: 64 octets of
 * local part) is sent from {@code bounces@<bounce domain>}: its bounces still come to the bounce
 * domain, where intake logs them as unmatched.
 */
public final class ReturnPaths {

    private static final ReturnPaths NONE = new ReturnPaths(null, () -> null);

    private final String bounceDomain;
    private final Supplier<BounceToken> token;

    /**
     * @param bounceDomain an A-label domain
     * @param token        the bounce keys, asked for each job (read once, when first needed)
     */
    public ReturnPaths(String bounceDomain, Supplier<BounceToken> token) {
        this.bounceDomain = bounceDomain;
        this.token = Objects.requireNonNull(token, "token");
    }

    /** Every recipient gets the job's envelope sender. */
    public static ReturnPaths none() {
        return NONE;
    }

    Envelope envelope(SendJob job, String sender, List<InternetAddress> recipients) {
        if (bounceDomain == null || job.envelopeFrom() != null) {
            return new Envelope(sender, recipients);
        }
        if (!BounceToken.fits(job.jobId())) {
            return new Envelope(BounceToken.PREFIX.substring(0, BounceToken.PREFIX.length() - 1) + "@" + bounceDomain,
                    recipients);
        }
        return new Envelope(sender, recipients,
                Optional.of(new Envelope.Verp(job.jobId(), bounceDomain, token.get())));
    }
}
