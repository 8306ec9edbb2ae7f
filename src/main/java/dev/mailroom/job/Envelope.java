package dev.mailroom.job;

import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A job's SMTP envelope (RFC 5321 §3.3) as intake parsed and normalised it: the reverse-path for
 * MAIL FROM and the forward-paths for RCPT TO. Delivery uses these addresses as they are and never
 * parses the job's strings again.
 *
 * <p>Every address is ASCII, domains as A-labels (IDNA, RFC 5891 §4): without SMTPUTF8 (RFC 6531),
 * which Mailroom does not use, a U-label has no place in the envelope, and this type refuses one.
 *
 * @param sender     the envelope sender: the job's {@code envelopeFrom}, else its {@code from}
 * @param recipients to, cc and bcc, de-duplicated
 */
public record Envelope(String sender, List<InternetAddress> recipients) {

    public Envelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        requireAscii(sender);
        recipients.forEach(recipient -> requireAscii(recipient.getAddress()));
    }

    /** The same sender, for the recipients still to deliver (a retry's subset). */
    public Envelope withRecipients(List<InternetAddress> remaining) {
        return new Envelope(sender, remaining);
    }

    private static void requireAscii(String address) {
        for (int i = 0; i < address.length(); i++) {
            if (address.charAt(i) > 0x7F) {
                throw new IllegalArgumentException("not an ASCII envelope address (IDNA A-labels expected)");
            }
        }
    }
}
