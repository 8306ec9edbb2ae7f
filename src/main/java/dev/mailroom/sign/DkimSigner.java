package dev.mailroom.sign;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.job.HeaderField;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * DKIM signing (RFC 6376) with relaxed/relaxed canonicalization and a SHA-256 body hash, one
 * DKIM-Signature per key — RSA and Ed25519 (RFC 8463) alike — each computed on its own over the same
 * header fields, none covering another (§5.4: later signatures need not sign earlier ones).
 *
 * <p>Signing takes two passes over a message, so that nothing is spooled: the message is written
 * once through a {@link #signingStream()}, which hashes the body as it passes, and then once more to
 * the SMTP DATA stream behind the fields that stream returns. Both writes must produce the same bytes,
 * which every {@link ComposedMessage} instance does; {@link #sign(ComposedMessage, Session)} is pass one
 * for one.
 *
 * <p>Signed, if present: {@value #SIGNED_LIST} and the extra names given (the job's own headers).
 * From, Subject and the RFC 8058 List-Unsubscribe fields are oversigned: listed in {@code h=} once
 * more than they occur, absent ones included, so a field of that name added later breaks the
 * signature (§8.15). Immutable and thread-safe.
 */
public final class DkimSigner {

    static final String SIGNED_LIST = "From, To, Cc, Subject, Date, Message-ID, Reply-To, MIME-Version, Content-Type,"
            + " Content-Transfer-Encoding, List-Unsubscribe, List-Unsubscribe-Post";
    private static final List<String> SIGNED = List.of(SIGNED_LIST.toLowerCase(Locale.ROOT).split(", "));
    private static final Set<String> OVERSIGNED = Set.of("from", "subject", "list-unsubscribe", "list-unsubscribe-post");

    private final List<DkimKey> keys;
    private final List<String> signedNames;
    private final Clock clock;

    /**
     * @param keys             one signature each, in this order; at least one
     * @param extraHeaderNames further fields to sign when present (any case); DKIM-Signature cannot be one
     * @param clock            gives {@code t=}, the signing time
     */
    public DkimSigner(List<DkimKey> keys, Collection<String> extraHeaderNames, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a signer needs at least one key");
        }
        this.keys = List.copyOf(keys);
        Set<String> names = new LinkedHashSet<>(SIGNED);
        for (String name : extraHeaderNames) {
            names.add(checkedName(name));
        }
        this.signedNames = List.copyOf(names);
        this.clock = clock;
    }

    /** A stream for one message; see {@link SigningStream}. */
    public SigningStream signingStream() {
        return new SigningStream(this);
    }

    /**
     * Pass one for a composed message: one instance written as the SMTP transport will write it.
     *
     * @return the DKIM-Signature fields to send before a second instance, as {@link SigningStream#signatures()}
     * @throws IOException when a stored attachment or raw message cannot be read
     */
    public byte[] sign(ComposedMessage message, Session session) throws IOException, MessagingException {
        SigningStream stream = signingStream();
        message.writeAsSent(session, stream);
        return stream.signatures();
    }

    /** The fields for a message with these header fields and this body hash. */
    byte[] signatures(HeaderBlock headers, byte[] bodyHash) {
        List<String> names = namesToSign(headers);
        byte[] fields = headers.canonicalFields(names);
        String bh = Base64.getEncoder().encodeToString(bodyHash);
        long timestamp = clock.instant().getEpochSecond();
        StringBuilder out = new StringBuilder();
        for (DkimKey key : keys) {
            SignatureField field = new SignatureField(key, timestamp, names, bh);
            // RFC 6376 §3.7: the selected fields, then this DKIM-Signature with an empty b=.
            ByteArrayOutputStream input = new ByteArrayOutputStream(fields.length + 512);
            input.writeBytes(fields);
            input.writeBytes(field.signatureInput());
            try {
                byte[] signature = key.algorithm().sign(key.privateKey(), input.toByteArray());
                out.append(field.withSignature(Base64.getEncoder().encodeToString(signature)));
            } catch (GeneralSecurityException e) {
                throw new DkimException.BadKey(key + " could not sign", e);
            }
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code h=}: each signed name once per field present, oversigned names once more (§5.4.2). */
    List<String> namesToSign(HeaderBlock headers) {
        List<String> names = new ArrayList<>();
        for (String name : signedNames) {
            int listings = headers.count(name) + (OVERSIGNED.contains(name) ? 1 : 0);
            for (int i = 0; i < listings; i++) {
                names.add(name);
            }
        }
        return names;
    }

    // h= is a colon-separated list inside a semicolon-separated tag list (RFC 6376 §3.2, §3.5).
    private static String checkedName(String name) {
        if (!HeaderField.isValidName(name) || name.contains(";")) {
            throw new IllegalArgumentException("not a header field name DKIM can sign: '" + name + "'");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals(SignatureField.NAME.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("a DKIM-Signature never signs itself (RFC 6376 §3.5)");
        }
        return lower;
    }
}
