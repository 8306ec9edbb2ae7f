package dev.mailroom.job;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The one normal form of a mailbox, for everything that compares addresses rather than sends them:
 * the sender allow-list, recipient de-duplication, the ledger's recipient keys, per-recipient
 * outcomes, unsubscribe tokens. Applied here and nowhere else.
 *
 * <ul>
 *   <li>domain: the lower-case A-label form (IDNA, RFC 5891 §5), so {@code Bücher.Example},
 *       {@code bücher.example} and {@code xn--bcher-kva.example} are one domain;</li>
 *   <li>local part: Unicode NFC (RFC 6530 §10.1, RFC 6532 §3.1), then lower case. RFC 5321 §2.4 lets
 *       a server tell {@code Ann} from {@code ann}, so Mailroom never changes the case of what it
 *       <em>sends</em>; but a key that told them apart would let one mailbox be two recipients (sent
 *       twice in one job) and escape a suppression or unsubscribe under another spelling, and
 *       mailbox providers do not tell them apart in practice. The ledger has always keyed its
 *       recipients in lower case, so existing items keep their keys.</li>
 * </ul>
 *
 * <p>What goes on the wire is intake's form ({@link Envelope}): the local part as written but in
 * NFC, the domain as a lower-case A-label.
 */
public final class AddressForm {

    private AddressForm() {
    }

    /** The key of {@code address} ({@code local@domain}, no display name): NFC, lower case, A-label domain. */
    public static String key(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return nfc(address.toLowerCase(Locale.ROOT));
        }
        String local = nfc(nfc(address.substring(0, at)).toLowerCase(Locale.ROOT));
        return local + "@" + domainOrAsIs(address.substring(at + 1));
    }

    /**
     * A domain in its normal form: the lower-case A-label of each label (STD3 rules: letters, digits,
     * hyphens; so no address literal).
     *
     * @throws IllegalArgumentException when it is not a valid host name
     */
    public static String domain(String domain) {
        return IDN.toASCII(nfc(domain), IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    }

    /** The domain of {@code address} in its normal form. */
    public static String domainOf(String address) {
        return domainOrAsIs(address.substring(address.lastIndexOf('@') + 1));
    }

    /**
     * Whether {@code address} needs SMTPUTF8 (RFC 6531 §3.2) to be sent: its local part holds a
     * character outside ASCII. Domains never do once normalised: they go out as A-labels.
     */
    public static boolean isInternational(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        return !isAscii(local);
    }

    public static boolean isAscii(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} in Unicode Normalization Form C, the form internationalised addresses are compared and sent in. */
    public static String nfc(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    // A key is asked of addresses intake already accepted; one that IDNA refuses still gets a key.
    private static String domainOrAsIs(String domain) {
        try {
            return domain(domain);
        } catch (IllegalArgumentException e) {
            return domain.toLowerCase(Locale.ROOT);
        }
    }
}
