package dev.mailroom.job;

import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's SMTP envelope (RFC 5321 §3.3) as intake parsed and normalised it: the reverse-path for
 * MAIL FROM and the forward-paths for RCPT TO. Delivery uses these addresses as they are and never
 * parses the job's strings again.
 *
 * <p>Every domain is an A-label (IDNA, RFC 5891 §4), whatever the transaction: valid with and
 * without SMTPUTF8, and one form for every comparison ({@link AddressForm}); this type refuses a
 * U-label. A local part may hold UTF-8 (RFC 6531 §3.3, in NFC): such an address is
 * {@linkplain AddressForm#isInternational international}, and its transaction must be SMTPUTF8.
 *
 * @param sender     the envelope sender: the job's {@code envelopeFrom}, else its {@code from}
 * @param recipients to, cc and bcc, de-duplicated
 * @param verp       when present, each recipient's MAIL FROM is its own VERP return path
 *                   ({@link #senderFor}) rather than {@code sender}
 */
public record Envelope(String sender, List<InternetAddress> recipients, Optional<Verp> verp) {

    /**
     * A return path per recipient, {@code bounces+<token>@<bounceDomain>} ({@link BounceToken}).
     *
     * @param bounceDomain an A-label domain
     */
    public record Verp(String jobId, String bounceDomain, BounceToken token) {

        public Verp {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(token, "token");
            if (!BounceToken.fits(jobId)) {
                throw new IllegalArgumentException("job id does not fit in a bounce token");
            }
        }

        String senderFor(InternetAddress recipient) {
            return token.localPart(jobId, recipient.getAddress()).orElseThrow() + "@" + bounceDomain;
        }
    }

    /** One sender for every recipient. */
    public Envelope(String sender, List<InternetAddress> recipients) {
        this(sender, recipients, Optional.empty());
    }

    public Envelope {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(verp, "verp");
        recipients = List.copyOf(recipients);
        requireAsciiDomain(sender);
        recipients.forEach(recipient -> requireAsciiDomain(recipient.getAddress()));
    }

    /** The same sender, for the recipients still to deliver (a retry's subset). */
    public Envelope withRecipients(List<InternetAddress> remaining) {
        return new Envelope(sender, remaining, verp);
    }

    /** The reverse-path of {@code recipient}'s transaction: its VERP return path, else the sender. */
    public String senderFor(InternetAddress recipient) {
        return verp.map(v -> v.senderFor(recipient)).orElse(sender);
    }

    /** Whether each recipient has a reverse-path of its own, so a transaction of its own. */
    public boolean perRecipientSenders() {
        return verp.isPresent();
    }

    /** Whether any address, the sender's or a recipient's, needs SMTPUTF8 (a non-ASCII local part). */
    public boolean international() {
        return AddressForm.isInternational(sender)
                || recipients.stream().anyMatch(recipient -> AddressForm.isInternational(recipient.getAddress()));
    }

    private static void requireAsciiDomain(String address) {
        if (!AddressForm.isAscii(address.substring(address.lastIndexOf('@') + 1))) {
            throw new IllegalArgumentException("not an A-label envelope domain (IDNA A-labels expected)");
        }
    }
}
