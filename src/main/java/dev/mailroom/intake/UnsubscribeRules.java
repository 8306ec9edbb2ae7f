package dev.mailroom.intake;

import dev.mailroom.job.ParsedJob.ListUnsubscribe;
import dev.mailroom.job.SendJob;
import dev.mailroom.job.Unsubscribe;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The job's {@code unsubscribe} field (RFC 8058, RFC 2369): checked and resolved into the
 * List-Unsubscribe composition writes, with Mailroom's endpoint filled in and the scope decided.
 */
final class UnsubscribeRules {

    /** RFC 5322 §2.1.1: a line holds at most 998 characters, and a URL cannot be folded. */
    static final int MAX_LINE_CHARS = 998;
    private static final String FIELD_START = "List-Unsubscribe: <";
    /** After the URL: the bracket, and the comma before a mailto: URI folded onto the next line. */
    private static final String FIELD_URL_END = ">,";
    private static final int MAX_MAILTO_CHARS = 900;
    private static final String MAILTO = "mailto:";

    /** Asked per job: under SnapStart the keys are only known once the container is restored. */
    private final Supplier<UnsubscribeSupport> support;

    UnsubscribeRules(Supplier<UnsubscribeSupport> support) {
        this.support = support;
    }

    /**
     * @param from       the From address as parsed, whose domain is the default scope
     * @param recipients the envelope's, each of whose URL must fit on a line with its token
     */
    Optional<ListUnsubscribe> check(SendJob job, InternetAddress from, List<InternetAddress> recipients) {
        Unsubscribe unsubscribe = job.unsubscribe();
        if (unsubscribe == null) {
            return Optional.empty();
        }
        // Two List-Unsubscribe fields would leave a receiver to pick one, and the signature to cover which?
        job.headers().keySet().stream()
                .filter(name -> name.toLowerCase(Locale.ROOT).startsWith("list-unsubscribe"))
                .findFirst().ifPresent(name -> {
                    throw new JobRejectedException("headers." + name,
                            "cannot be combined with unsubscribe, which writes the List-Unsubscribe fields");
                });
        String scope = scope(unsubscribe, from);
        String url = url(unsubscribe);
        requireLineFits(url, job.jobId(), recipients, scope);
        Optional<String> mailto = Optional.ofNullable(unsubscribe.mailto()).map(UnsubscribeRules::mailto);
        return Optional.of(new ListUnsubscribe(url, mailto, scope));
    }

    private String url(Unsubscribe unsubscribe) {
        if (unsubscribe.url() == null) {
            return support.get().endpoint().orElseThrow(() -> new JobRejectedException("unsubscribe.url",
                    "is required: this Mailroom has no unsubscribe endpoint of its own (MAILROOM_UNSUBSCRIBE_URL)"));
        }
        String url = unsubscribe.url();
        String field = "unsubscribe.url";
        HeaderRules.requireNoControlCharacters(field, url);
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(url)) {
            throw new JobRejectedException(field, "must be ASCII (percent-encode other characters, RFC 3986)");
        }
        if (url.contains(Unsubscribe.TOKEN) && !support.get().issuesTokens()) {
            throw new JobRejectedException(field, Unsubscribe.TOKEN + " needs unsubscribe keys, and this Mailroom has none");
        }
        URI uri;
        try {
            uri = new URI(url.replace(Unsubscribe.TOKEN, "token"));
        } catch (URISyntaxException e) {
            throw new JobRejectedException(field, "not a valid URL");
        }
        // RFC 8058 §3.1: the one-click URI must be https.
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            throw new JobRejectedException(field, "must be an https URL (RFC 8058 §3.1)");
        }
        if (uri.getHost() == null) {
            throw new JobRejectedException(field, "must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new JobRejectedException(field, "must not carry a user name or password");
        }
        return url;
    }

    /** Each recipient's URL, its token at the longest, must fit on the field's first line. */
    private static void requireLineFits(String url, String jobId, List<InternetAddress> recipients, String scope) {
        int tokens = (url.length() - url.replace(Unsubscribe.TOKEN, "").length()) / Unsubscribe.TOKEN.length();
        int fixed = FIELD_START.length() + url.length() - tokens * Unsubscribe.TOKEN.length() + FIELD_URL_END.length();
        int longestToken = tokens == 0 ? 0 : recipients.stream()
                .mapToInt(r -> Unsubscribe.maxTokenChars(jobId, r.getAddress(), scope)).max().orElse(0);
        if (fixed + tokens * longestToken > MAX_LINE_CHARS) {
            throw new JobRejectedException("unsubscribe.url", "too long: " + (tokens == 0 ? "" : "with its token, ")
                    + "the List-Unsubscribe line would pass " + MAX_LINE_CHARS + " characters (RFC 5322 §2.1.1)");
        }
    }

    /** A mailto: URI (RFC 6068) naming one address, or a bare address made one. */
    private static String mailto(String value) {
        String field = "unsubscribe.mailto";
        HeaderRules.requireNoControlCharacters(field, value);
        if (value.isBlank() || value.length() > MAX_MAILTO_CHARS
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
            throw new JobRejectedException(field, "must be 1-" + MAX_MAILTO_CHARS + " ASCII characters");
        }
        if (!value.regionMatches(true, 0, MAILTO, 0, MAILTO.length())) {
            return MAILTO + bareAddress(field, value);
        }
        String address;
        try {
            String part = new URI(value).getSchemeSpecificPart();
            address = part.contains("?") ? part.substring(0, part.indexOf('?')) : part;
        } catch (URISyntaxException e) {
            throw new JobRejectedException(field, "not a valid mailto: URI (RFC 6068)");
        }
        bareAddress(field, address);
        return MAILTO + value.substring(MAILTO.length());
    }

    private static String bareAddress(String field, String value) {
        InternetAddress address = AddressRules.parse(field, value);
        if (address.getPersonal() != null || !value.strip().equals(address.getAddress())) {
            throw new JobRejectedException(field, "must be an address without a display name, or a mailto: URI");
        }
        return address.getAddress();
    }

    private static String scope(Unsubscribe unsubscribe, InternetAddress from) {
        if (unsubscribe.scope() == null) {
            String address = from.getAddress();
            return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        }
        if (!unsubscribe.scope().matches("[\\x21-\\x7E]{1," + Unsubscribe.MAX_SCOPE_CHARS + "}")) {
            throw new JobRejectedException("unsubscribe.scope", "must be 1-" + Unsubscribe.MAX_SCOPE_CHARS
                    + " printable ASCII characters, no spaces");
        }
        return unsubscribe.scope();
    }
}
