package dev.mailroom.client;

import dev.mailroom.job.Attachment;
import dev.mailroom.job.HeaderField;
import dev.mailroom.job.SendJob;
import dev.mailroom.job.Unsubscribe;
import java.io.InputStream;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An email to send through Mailroom, built fluently and turned into a v1 send job by
 * {@link MailroomClient#send(Email)}:
 *
 * <pre>{@code
 * Email.from("Billing <billing@example.com>").to("Ann <ann@example.org>")
 *      .subject("Your invoice").text("Attached.").attach(Path.of("invoice.pdf"))
 * }</pre>
 *
 * <p>Obvious mistakes fail early with an {@link IllegalArgumentException} (a blank address, CR/LF in
 * a header, a missing file; no recipient or no body when sent); the service's intake stays the
 * authority on what it accepts. Files are read only when the email is sent, small ones inline in the
 * job and larger ones uploaded to S3. An email is a mutable builder, not for sharing between threads;
 * one with a stream attachment can be sent once.
 */
public final class Email {

    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private final String from;
    private String envelopeFrom;
    private final List<String> to = new ArrayList<>();
    private final List<String> cc = new ArrayList<>();
    private final List<String> bcc = new ArrayList<>();
    private final List<String> replyTo = new ArrayList<>();
    private String subject;
    private String text;
    private String html;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private Instant expiresAt;
    private String jobId;
    private final List<Part> attachments = new ArrayList<>();
    private Part raw;
    private boolean unsubscribe;
    private String unsubscribeUrl;
    private String unsubscribeMailto;
    private String unsubscribeScope;

    private Email(String from) {
        this.from = headerValue("from", from);
    }

    /** @param from the From header, e.g. {@code "Billing <billing@example.com>"} */
    public static Email from(String from) {
        return new Email(from);
    }

    /** The envelope sender (MAIL FROM), when it differs from the From address. */
    public Email envelopeFrom(String address) {
        this.envelopeFrom = headerValue("envelopeFrom", address);
        return this;
    }

    public Email to(String... addresses) {
        return addAll("to", to, addresses);
    }

    public Email cc(String... addresses) {
        return addAll("cc", cc, addresses);
    }

    public Email bcc(String... addresses) {
        return addAll("bcc", bcc, addresses);
    }

    public Email replyTo(String... addresses) {
        return addAll("replyTo", replyTo, addresses);
    }

    public Email subject(String subject) {
        this.subject = headerValue("subject", subject);
        return this;
    }

    public Email text(String text) {
        this.text = Objects.requireNonNull(text, "text");
        return this;
    }

    public Email html(String html) {
        this.html = Objects.requireNonNull(html, "html");
        return this;
    }

    /** A custom header such as {@code List-Unsubscribe}; a second value for the same name replaces the first. */
    public Email header(String name, String value) {
        if (!HeaderField.isValidName(name)) {
            throw new IllegalArgumentException("header: '" + name + "' is not a valid header name");
        }
        headers.put(name, headerValue("header " + name, value));
        return this;
    }

    /**
     * One-click unsubscribe (RFC 8058) through Mailroom's own endpoint: every recipient's message gets
     * a List-Unsubscribe URL with a token naming the job, the recipient and the scope, so each gets a
     * message of their own. The deployment must have an unsubscribe endpoint and keys.
     */
    public Email unsubscribe() {
        this.unsubscribe = true;
        this.unsubscribeUrl = null;
        return this;
    }

    /**
     * One-click unsubscribe (RFC 8058) through the application's own https URL. Where it holds
     * {@value Unsubscribe#TOKEN}, Mailroom puts a token naming the job, the recipient and the scope
     * (each recipient then gets a message of their own); without it, every recipient gets this URL.
     */
    public Email unsubscribe(String url) {
        String checked = headerValue("unsubscribe url", url);
        if (!checked.regionMatches(true, 0, "https://", 0, "https://".length())) {
            throw new IllegalArgumentException("unsubscribe url: must be an https URL (RFC 8058)");
        }
        this.unsubscribe = true;
        this.unsubscribeUrl = checked;
        return this;
    }

    /** A mailto: way to unsubscribe beside the URL: a {@code mailto:} URI or an address. */
    public Email unsubscribeMailto(String mailto) {
        this.unsubscribeMailto = headerValue("unsubscribe mailto", mailto);
        return this;
    }

    /**
     * What the recipient unsubscribes from (a list, a tenant…), named in the token; by default the From
     * address's domain.
     */
    public Email unsubscribeScope(String scope) {
        this.unsubscribeScope = headerValue("unsubscribe scope", scope);
        return this;
    }

    /** A tag kept with the job (tenant, campaign…); never sent in the message. */
    public Email tag(String key, String value) {
        tags.put(headerValue("tag", key), headerValue("tag " + key, value));
        return this;
    }

    /** Give up delivering after this instant, whatever retries remain. */
    public Email expiresAt(Instant expiresAt) {
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        return this;
    }

    /**
     * The idempotency key: the same job id is delivered at most once. Generated when not set.
     *
     * @param jobId the intake's rule: {@value dev.mailroom.job.SendJob#JOB_ID_RULE}
     */
    public Email jobId(String jobId) {
        if (!SendJob.isValidJobId(jobId)) {
            throw new IllegalArgumentException("jobId: " + SendJob.JOB_ID_RULE);
        }
        this.jobId = jobId;
        return this;
    }

    /** Attaches a file under its own name, its content type guessed from the name. */
    public Email attach(Path file) {
        requireFile("attach", file);
        attachments.add(new Part(file.getFileName().toString(), contentType(file), "attachment", null,
                PartSources.file(file)));
        return this;
    }

    /**
     * Attaches bytes from a stream, read and closed when the email is sent (not before).
     *
     * @param length the exact number of bytes the stream holds; large streams are uploaded without
     *               being held in memory, so the size must be known up front
     */
    public Email attach(String filename, String contentType, InputStream in, long length) {
        headerValue("attach filename", filename);
        headerValue("attach contentType", contentType);
        Objects.requireNonNull(in, "in");
        if (length < 0) {
            throw new IllegalArgumentException("attach: length of " + filename + " must not be negative");
        }
        attachments.add(new Part(filename, contentType, "attachment", null, PartSources.stream(filename, in, length)));
        return this;
    }

    /**
     * An inline image, shown where the html refers to {@code cid:<contentId>}.
     *
     * @param contentId the intake's rule: {@value dev.mailroom.job.Attachment#CONTENT_ID_RULE}
     */
    public Email inline(String contentId, Path image) {
        if (!Attachment.isValidContentId(contentId)) {
            throw new IllegalArgumentException("inline: content id '" + contentId + "' " + Attachment.CONTENT_ID_RULE);
        }
        requireFile("inline", image);
        attachments.add(new Part(image.getFileName().toString(), contentType(image), "inline", contentId,
                PartSources.file(image)));
        return this;
    }

    /**
     * Sends a complete RFC 5322 message as it is (like SES SendRawEmail), instead of a subject, body
     * and attachments; the envelope still comes from {@link #from} and the recipients given here.
     */
    public Email raw(Path emlFile) {
        requireFile("raw", emlFile);
        this.raw = new Part(emlFile.getFileName().toString(), "message/rfc822", "attachment", null,
                PartSources.file(emlFile));
        return this;
    }

    /**
     * The checks that need the whole email.
     *
     * @throws IllegalArgumentException naming what is missing or conflicting
     */
    void validate() {
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw new IllegalArgumentException("email: at least one recipient is required in to, cc or bcc");
        }
        if (!unsubscribe && (unsubscribeMailto != null || unsubscribeScope != null)) {
            throw new IllegalArgumentException("email: an unsubscribe mailto or scope needs unsubscribe() or unsubscribe(url)");
        }
        if (unsubscribe && headers.keySet().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("list-unsubscribe"))) {
            throw new IllegalArgumentException("email: unsubscribe writes List-Unsubscribe; do not set it as a header too");
        }
        if (raw != null) {
            if (subject != null || text != null || html != null || !headers.isEmpty() || !attachments.isEmpty()
                    || unsubscribe) {
                throw new IllegalArgumentException(
                        "email: raw cannot be combined with subject, text, html, headers, attachments or unsubscribe");
            }
        } else if (text == null && html == null) {
            throw new IllegalArgumentException("email: a body is required: text, html or raw");
        }
    }

    String fromAddress() {
        return from;
    }

    String envelopeFromAddress() {
        return envelopeFrom;
    }

    List<String> toAddresses() {
        return List.copyOf(to);
    }

    List<String> ccAddresses() {
        return List.copyOf(cc);
    }

    List<String> bccAddresses() {
        return List.copyOf(bcc);
    }

    List<String> replyToAddresses() {
        return List.copyOf(replyTo);
    }

    String subjectLine() {
        return subject;
    }

    String textBody() {
        return text;
    }

    String htmlBody() {
        return html;
    }

    Map<String, String> headerFields() {
        return Collections.unmodifiableMap(headers);
    }

    Map<String, String> tagValues() {
        return Collections.unmodifiableMap(tags);
    }

    Instant expiry() {
        return expiresAt;
    }

    String givenJobId() {
        return jobId;
    }

    List<Part> parts() {
        return List.copyOf(attachments);
    }

    Part rawPart() {
        return raw;
    }

    /** The job's {@code unsubscribe} field; null when not asked for. */
    Unsubscribe unsubscribeField() {
        return unsubscribe ? new Unsubscribe(unsubscribeUrl, unsubscribeMailto, unsubscribeScope) : null;
    }

    private Email addAll(String field, List<String> list, String... addresses) {
        Objects.requireNonNull(addresses, field);
        for (String address : addresses) {
            list.add(headerValue(field, address));
        }
        return this;
    }

    // CR or LF in a header value would let a caller inject headers (the service rejects it too).
    private static String headerValue(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": must not be blank");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(field + ": contains CR or LF");
        }
        return value;
    }

    private static void requireFile(String field, Path file) {
        Objects.requireNonNull(file, field);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(field + ": no readable file at " + file);
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        String guessed = URLConnection.guessContentTypeFromName(name);
        if (guessed == null) {
            try {
                guessed = Files.probeContentType(file);
            } catch (java.io.IOException e) {
                guessed = null; // the generic type below is always acceptable
            }
        }
        // A message/* part cannot be base64 (RFC 2046 §5.2), as attachments are: an attached .eml
        // travels as plain bytes.
        return guessed == null || guessed.startsWith("message/") ? DEFAULT_CONTENT_TYPE : guessed;
    }
}
