package dev.mailroom.sign;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.job.AddressForm;
import dev.mailroom.job.HeaderField;
import dev.mailroom.job.ParsedJob;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The signing stage: signs each composed message with the keys of its From domain
 * ({@link DkimKeyring#forFrom}), so that the signature aligns with From under DMARC; a message whose
 * From domain has no key goes on unsigned, and says so ({@link Signed#signatures()} empty). Whether
 * such a message may be sent at all is intake's rule ({@code SenderPolicy}), decided before.
 *
 * <p>The keyring is asked for at each use, never when the stage is built: in AWS it comes from
 * Secrets Manager, read once by the wiring, and a SnapStart snapshot taken after wiring holds no
 * private key ({@code SendWiring#prime} signs with throwaway keys instead). Thread-safe.
 */
public final class MessageSigning {

    /** For measuring and signing: one, as sessions are dear to build; it sets no MIME property. */
    private static final Session SESSION = Session.getInstance(new Properties());

    private final Supplier<DkimKeyring> keyring;
    private final Clock clock;

    /** @param keyring asked for at every use: the caller keeps what it read */
    public MessageSigning(Supplier<DkimKeyring> keyring, Clock clock) {
        this.keyring = keyring;
        this.clock = clock;
    }

    /** A stage that signs nothing: every message goes out unsigned. */
    public static MessageSigning none() {
        DkimKeyring empty = new DkimKeyring(List.of());
        return new MessageSigning(() -> empty, Clock.systemUTC());
    }

    /**
     * A message as sent: its DKIM-Signature fields above the composed message, and who signed it.
     *
     * @param fromDomain the From domain the keys were chosen for (lower case); empty when a raw
     *                   message has no From field
     * @param signatures the signing keys' DNS names ({@code s2026._domainkey.example.com}), in the
     *                   order of the fields; empty when no key signs for the From domain
     */
    public record Signed(ComposedMessage message, String fromDomain, List<String> signatures) {

        public Signed {
            signatures = List.copyOf(signatures);
        }

        public boolean isSigned() {
            return !signatures.isEmpty();
        }
    }

    /** Whether mail from {@code fromDomain} (any case, either IDN form) would be signed. */
    public boolean hasKeyFor(String fromDomain) {
        return !keyring.get().forFrom(fromDomain).isEmpty();
    }

    /**
     * Pass one of two (see {@link DkimSigner}): reads the message once, streamed, stored parts
     * included, and returns it with its signatures above it.
     *
     * @throws IOException        when a stored part cannot be read
     * @throws DkimException      when the message cannot be signed (its header block is too large)
     */
    public Signed sign(ComposedMessage message, ParsedJob job) throws IOException, MessagingException {
        String fromDomain = fromDomain(message, job).orElse("");
        List<DkimKey> keys = fromDomain.isEmpty() ? List.of() : keyring.get().forFrom(fromDomain);
        if (keys.isEmpty()) {
            return new Signed(message, fromDomain, List.of());
        }
        DkimSigner signer = new DkimSigner(keys, job.job().isRaw() ? Set.of() : job.job().headers().keySet(), clock);
        byte[] fields = signer.sign(message, SESSION);
        return new Signed(message.withFieldsAbove(fields), fromDomain, keys.stream().map(DkimKey::dnsName).toList());
    }

    /** The From domain of a composed (not raw) job's messages, lower case: the keys are chosen for it. */
    public static String fromDomainOf(ParsedJob job) {
        return domainOf(job.headers().from());
    }

    /** The domain DMARC aligns with: a raw message's own From field, else the From intake parsed. */
    private static Optional<String> fromDomain(ComposedMessage message, ParsedJob job) {
        if (!job.job().isRaw()) {
            return Optional.of(domainOf(job.headers().from()));
        }
        for (HeaderField field : message.storedHeaders()) {
            if (field.name().equalsIgnoreCase("From")) {
                try {
                    InternetAddress[] from = InternetAddress.parseHeader(MimeUtility.unfold(field.value()), false);
                    return from.length == 0 ? Optional.empty() : Optional.of(domainOf(from[0]));
                } catch (AddressException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The normal form the keyring and the allow-list use ({@link AddressForm#domainOf}). */
    private static String domainOf(InternetAddress address) {
        return AddressForm.domainOf(address.getAddress());
    }
}
