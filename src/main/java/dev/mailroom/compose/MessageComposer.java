package dev.mailroom.compose;

import dev.mailroom.MailroomException;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.HeaderField;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Turns a validated send job into a {@link ComposedMessage}.
 *
 * <p>Structure: text, html or both ({@code multipart/alternative}); inline parts referenced by
 * Content-ID wrap that in {@code multipart/related}; other attachments wrap the lot in
 * {@code multipart/mixed}. Subjects and display names are RFC 2047 encoded, file names RFC 2231.
 * Attachments stored in S3 are only sized here (HEAD); their bytes are streamed when a
 * transaction writes the message.
 *
 * <p>Every composed message knows its exact size on the wire (RFC 1870) and whether it is 8-bit
 * (RFC 6152), measured here once: a structured message by writing it with stored attachments left
 * out and adding their base64 length; a raw message by one streamed read of the stored object.
 */
public final class MessageComposer {

    private static final String UTF_8 = "UTF-8";
    /** Stands in for the store while a message is measured: stored attachments are counted, not read. */
    private static final AttachmentStore NOTHING_STORED = new AttachmentStore() {
        @Override
        public long size(S3Location location) {
            return 0;
        }

        @Override
        public InputStream open(S3Location location) {
            return InputStream.nullInputStream();
        }
    };

    private final AttachmentStore store;
    private final Clock clock;
    private final UnsubscribeLinks unsubscribe;
    /** For measuring messages; built once, as sessions are dear to build (a class path scan). */
    private final Session measuring = Session.getInstance(new Properties());
    /**
     * Where a message with UTF-8 header fields (RFC 6532) is made, measured and written: Jakarta Mail
     * writes header lines through a LineOutputStream that keeps only the low byte of each char unless
     * the message's session has {@code mail.mime.allowutf8}. Only such messages use it; the engine's
     * session, shared by every transaction, stays as it is.
     */
    private final Session utf8 = utf8Session();
    private final RawComposer raw;
    /** Not thread-safe, and dear to build (a SimpleDateFormat): one per composer, used under its lock. */
    private final MailDateFormat dates = new MailDateFormat();

    /** A composer that writes a job's own fixed unsubscribe URL, and issues no token. */
    public MessageComposer(AttachmentStore store, Clock clock) {
        this(store, clock, UnsubscribeLinks.none());
    }

    /** @param unsubscribe the tokens and endpoint for one-click unsubscribe URLs (RFC 8058) */
    public MessageComposer(AttachmentStore store, Clock clock, UnsubscribeLinks unsubscribe) {
        this.store = store;
        this.clock = clock;
        this.unsubscribe = unsubscribe;
        this.raw = new RawComposer(measuring);
    }

    /**
     * The job's one message, for every recipient.
     *
     * @throws AttachmentException      when a stored attachment or raw message is missing or unreadable
     * @throws IllegalArgumentException for a job whose recipients each get their own message
     *                                  ({@link ParsedJob#isPerRecipient()}: {@link #composePerRecipient})
     */
    public ComposedMessage compose(ParsedJob parsed) {
        if (parsed.isPerRecipient()) {
            throw new IllegalArgumentException("job " + parsed.job().jobId() + " has a message per recipient");
        }
        SendJob job = parsed.job();
        String date = now();
        // One version of every stored object per composition (AttachmentStore#pinned).
        AttachmentStore objects = store.pinned();
        return job.isRaw() ? raw.compose(objects, job.raw().s3(), date, () -> newMessageId(parsed))
                : build(parsed, shared(parsed, objects), newMessageId(parsed), unsubscribe.fields(parsed, Optional.empty()));
    }

    /**
     * The messages of a job whose every recipient gets their own ({@link ParsedJob#isPerRecipient()}):
     * the same but for the List-Unsubscribe URL, its token naming the recipient, and the Message-ID.
     * What they share is done here, once: the Date, and the stored attachments sized, each pinned to
     * the version seen (all recipients get the same bytes).
     *
     * @throws AttachmentException when a stored attachment is missing or unreadable
     */
    public PerRecipientMessages composePerRecipient(ParsedJob parsed) {
        if (!parsed.isPerRecipient() || parsed.job().jobId() == null) {
            throw new IllegalArgumentException("not a per-recipient job with a job id");
        }
        Shared shared = shared(parsed, store.pinned());
        return new PerRecipientMessages(newMessageId(parsed), recipient -> build(parsed, shared,
                messageIdFor(parsed, recipient), unsubscribe.fields(parsed, Optional.of(recipient.getAddress()))));
    }

    private String now() {
        synchronized (dates) {
            return dates.format(Date.from(clock.instant()));
        }
    }

    /**
     * The Message-ID a structured job's message carries, known before composition (it is derived
     * from the job id); empty for a raw message, whose stored header may carry its own.
     */
    public static Optional<String> messageIdBeforeComposition(ParsedJob parsed) {
        SendJob job = parsed.job();
        return job.isRaw() || job.jobId() == null ? Optional.empty() : Optional.of(newMessageId(parsed));
    }

    /** What every message of a structured job shares: its date, boundary and sized, pinned attachments. */
    private record Shared(String date, String boundary, List<SizedAttachment> attachments, AttachmentStore objects) {
    }

    private Shared shared(ParsedJob parsed, AttachmentStore objects) {
        List<SizedAttachment> attachments = new ArrayList<>();
        for (int i = 0; i < parsed.job().attachments().size(); i++) {
            attachments.add(sized(parsed, i, objects));
        }
        return new Shared(now(), "=_mailroom_" + UUID.randomUUID().toString().replace("-", ""), attachments, objects);
    }

    /**
     * The message is measured once by writing it with stored attachments left empty, then adding
     * their base64 size, which depends on their length alone: exact, without reading them.
     *
     * @param listFields List-Unsubscribe and List-Unsubscribe-Post, or none
     */
    private ComposedMessage build(ParsedJob parsed, Shared shared, String messageId, List<HeaderField> listFields) {
        SendJob job = parsed.job();
        List<SizedAttachment> attachments = shared.attachments();
        boolean utf8Headers = parsed.headers().international();
        Structure structure = (session, content) -> {
            StructuredMimeMessage message = new StructuredMimeMessage(utf8Headers ? utf8 : session, messageId);
            fillHeaders(message, job, parsed.headers(), shared.date());
            for (HeaderField field : listFields) {
                // ASCII; folded after the comma only, as a URL cannot be folded (intake keeps it to one line).
                message.setHeader(field.name(), MimeUtility.fold(field.name().length() + 2, field.value()));
            }
            body(job, attachments, content, shared.boundary()).fill(message);
            message.saveChanges();
            return message;
        };
        WireSize skeleton;
        try {
            skeleton = WireSize.of(structure.create(measuring, NOTHING_STORED));
        } catch (IOException | MessagingException e) {
            throw new MailroomException("the composed message could not be measured", e);
        }
        long stored = attachments.stream().filter(a -> a.attachment().s3() != null)
                .mapToLong(a -> base64Size(a.bytes())).sum();
        // Stored parts are base64, 7-bit: they change the size, never the 8-bit question.
        WireSize size = new WireSize(skeleton.bytes() + stored, skeleton.eightBit());
        return new Composed(messageId, size, utf8Headers, List.of(), session -> structure.create(session,
                shared.objects()));
    }

    /** A structured message, its stored attachments read from {@code content}. */
    @FunctionalInterface
    private interface Structure {
        org.eclipse.angus.mail.smtp.SMTPMessage create(Session session, AttachmentStore content)
                throws MessagingException;
    }

    @FunctionalInterface
    private interface PartFiller {
        void fill(MimePart part) throws MessagingException;
    }

    private record SizedAttachment(Attachment attachment, long bytes, byte[] inlineContent) {
    }

    private SizedAttachment sized(ParsedJob parsed, int index, AttachmentStore objects) {
        Attachment attachment = parsed.job().attachments().get(index);
        if (attachment.s3() != null) {
            return new SizedAttachment(attachment, objects.size(attachment.s3()), null);
        }
        byte[] content = parsed.inlineContent(index);
        return new SizedAttachment(attachment, content.length, content);
    }

    private void fillHeaders(StructuredMimeMessage message, SendJob job, ParsedJob.Headers addresses, String date)
            throws MessagingException {
        // Custom headers first: the structural headers set below replace any of the same name.
        for (Map.Entry<String, String> header : job.headers().entrySet()) {
            message.setHeader(header.getKey(), encodeHeader(header.getKey(), header.getValue()));
        }
        // As intake parsed them: display names RFC 2047 encoded, domains as A-labels; a local part as
        // written (RFC 6532 §3.2: raw UTF-8, the only 8-bit header text Mailroom writes). Not through
        // setFrom/setRecipients: in a session with mail.mime.allowutf8 those would write display names
        // as raw UTF-8 too (InternetAddress.toUnicodeString).
        setAddresses(message, "From", List.of(addresses.from()));
        setAddresses(message, "Reply-To", addresses.replyTo());
        setAddresses(message, "To", addresses.to());
        setAddresses(message, "Cc", addresses.cc());
        // Bcc recipients are in the envelope only, never in a header.
        message.setSubject(job.subject() == null ? "" : job.subject(), UTF_8);
        message.setHeader("Date", date);
    }

    private static void setAddresses(StructuredMimeMessage message, String field, List<InternetAddress> addresses)
            throws MessagingException {
        if (!addresses.isEmpty()) {
            message.setHeader(field, InternetAddress.toString(addresses.toArray(InternetAddress[]::new), field.length() + 2));
        }
    }

    private static Session utf8Session() {
        Properties properties = new Properties();
        properties.put("mail.mime.allowutf8", "true");
        return Session.getInstance(properties);
    }

    private PartFiller body(SendJob job, List<SizedAttachment> attachments, AttachmentStore content, String boundary) {
        PartFiller body = alternative(job, boundary);
        List<SizedAttachment> inline = attachments.stream().filter(a -> a.attachment().isInline()).toList();
        List<SizedAttachment> regular = attachments.stream().filter(a -> !a.attachment().isInline()).toList();
        if (!inline.isEmpty()) {
            body = multipart("related", body, inline, content, boundary);
        }
        if (!regular.isEmpty()) {
            body = multipart("mixed", body, regular, content, boundary);
        }
        return body;
    }

    private static PartFiller alternative(SendJob job, String boundary) {
        boolean hasText = job.text() != null;
        boolean hasHtml = job.html() != null;
        if (hasText && hasHtml) {
            DataSource plain = text(job.text(), "plain");
            DataSource html = text(job.html(), "html");
            return part -> {
                MimeMultipart alternative = new FixedBoundaryMultipart("alternative", boundary + "_alternative");
                alternative.addBodyPart(textPart(plain));
                alternative.addBodyPart(textPart(html));
                part.setContent(alternative);
            };
        }
        DataSource only = hasHtml ? text(job.html(), "html") : text(job.text() == null ? "" : job.text(), "plain");
        return part -> part.setDataHandler(new DataHandler(only));
    }

    /**
     * A text body as UTF-8 bytes: on the wire the same as {@code setText(text, "UTF-8", subtype)}
     * (type, charset, transfer encoding chosen by the same rules), but Jakarta Mail copies bytes in
     * blocks, where its text handler passes them on one synchronized write at a time — twice per
     * transaction (choosing the encoding, then sending): a third of the engine's CPU for a 10 KiB
     * message (bench §1). Encoded once per job; read by each transaction.
     */
    private static DataSource text(String text, String subtype) {
        return new ByteArrayDataSource(text.getBytes(StandardCharsets.UTF_8), "text/" + subtype + "; charset=" + UTF_8);
    }

    private static PartFiller multipart(String subtype, PartFiller first, List<SizedAttachment> attachments,
                                        AttachmentStore content, String boundary) {
        return part -> {
            MimeMultipart multipart = new FixedBoundaryMultipart(subtype, boundary + "_" + subtype);
            MimeBodyPart firstPart = new MimeBodyPart();
            first.fill(firstPart);
            multipart.addBodyPart(firstPart);
            for (SizedAttachment attachment : attachments) {
                multipart.addBodyPart(attachmentPart(attachment, content));
            }
            part.setContent(multipart);
        };
    }

    private static MimeBodyPart textPart(DataSource text) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(text));
        return part;
    }

    private static MimeBodyPart attachmentPart(SizedAttachment sized, AttachmentStore content) throws MessagingException {
        Attachment attachment = sized.attachment();
        String contentType = attachment.contentType() == null ? "application/octet-stream" : attachment.contentType();
        DataSource source = attachment.s3() != null
                ? new StoredDataSource(content, attachment.s3(), contentType, attachment.filename())
                : new ByteArrayDataSource(sized.inlineContent(), contentType);
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(source));
        // Declared up front so that Jakarta Mail does not read the whole source to choose an encoding.
        part.setHeader("Content-Transfer-Encoding", "base64");
        part.setDisposition(attachment.isInline() ? Part.INLINE : Part.ATTACHMENT);
        if (attachment.filename() != null) {
            part.setFileName(attachment.filename());
        }
        if (attachment.contentId() != null) {
            part.setContentID("<" + attachment.contentId() + ">");
        }
        return part;
    }

    private static String encodeHeader(String name, String value) {
        try {
            return MimeUtility.fold(name.length() + 2, MimeUtility.encodeText(value, UTF_8, null));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    // RFC 5322 §3.6.4: a unique id, right-hand side in the sender's domain. Derived from the job id,
    // so every attempt (and a redrive) sends the same Message-ID: a copy sent twice after a lost
    // ledger write can be recognised as the same message by the receiver.
    private static String newMessageId(ParsedJob parsed) {
        String sender = parsed.envelope().sender();
        String jobId = parsed.job().jobId();
        UUID id = jobId != null ? UUID.nameUUIDFromBytes(jobId.getBytes(StandardCharsets.UTF_8)) : UUID.randomUUID();
        return "<" + id + "@" + sender.substring(sender.indexOf('@') + 1) + ">";
    }

    /**
     * The Message-ID of one recipient's message in a per-recipient job: the job's, its left part
     * extended by a hash of the recipient's address (lower case), so that each message has its own
     * (RFC 5322 §3.6.4: the messages differ), every attempt sends it again, the job's id is
     * recognisable in it, and the address is not spelt out.
     */
    public static String messageIdFor(ParsedJob parsed, InternetAddress recipient) {
        String jobMessageId = newMessageId(parsed);
        int at = jobMessageId.indexOf('@');
        byte[] hash = sha256(recipient.getAddress().toLowerCase(Locale.ROOT));
        return jobMessageId.substring(0, at) + "." + HexFormat.of().formatHex(hash, 0, 8) + jobMessageId.substring(at);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    // Base64 (RFC 2045 §6.8): 4 characters per 3 bytes; Jakarta Mail's encoder ends every full line
    // of 76 characters with CRLF, the last partial line without.
    static long base64Size(long bytes) {
        long encoded = (bytes + 2) / 3 * 4;
        return encoded + encoded / 76 * 2;
    }
}
