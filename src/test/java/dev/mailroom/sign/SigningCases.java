package dev.mailroom.sign;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.job.Attachment;
import dev.mailroom.job.S3Location;
import dev.mailroom.testing.MemoryAttachmentStore;
import dev.mailroom.testing.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The messages the signing tests sign, each composed by the real {@link MessageComposer}: structured
 * jobs, and raw messages from a store (RawComposer) with the shapes that trip canonicalization up.
 */
final class SigningCases {

    static final String BUCKET = "mailroom-attachments";
    static final S3Location STORED = new S3Location(BUCKET, "attachments/report.pdf");
    static final S3Location LARGE = new S3Location(BUCKET, "attachments/large.bin");
    /** Large enough to stream through many buffers, small enough for a fast suite (the message is ~4 MB). */
    static final int LARGE_BYTES = 3 * 1024 * 1024;

    /** A named message to sign. */
    record Case(String name, ComposedMessage message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final MemoryAttachmentStore store = new MemoryAttachmentStore()
            .put(STORED, pseudoRandom(40_000, 1))
            .put(LARGE, pseudoRandom(LARGE_BYTES, 2));
    private final MessageComposer composer = new MessageComposer(store, TestSigning.CLOCK);

    MemoryAttachmentStore store() {
        return store;
    }

    List<Case> all() {
        return List.of(textHtmlAndAttachments(), utf8Headers(), largeStoredAttachment(),
                raw("raw: folded, repeated and oddly spaced fields", String.join("\r\n",
                        "Received: from relay.example.net by mx.example.org;", " Tue, 11 Jun 2024 09:00:00 +0000",
                        "From:   Ann   Example\t<ann@example.com>  ", "To: bob@example.org,", "\tcarol@example.org",
                        "Cc: dave@example.org", "Cc: erin@example.org", "Subject:\tQuarterly   report ",
                        "  \t(folded, with a tab)", "X-Campaign:q2  ", "MIME-Version: 1.0",
                        "Content-Type: text/plain; charset=us-ascii", "", "Figures  attached. \t", "Line two", "")),
                raw("raw: 8-bit UTF-8 body", "From: ann@example.com\r\nTo: bob@example.org\r\nSubject: Grüße\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln — 你好, мир.\r\n"),
                raw("raw: empty body", "From: ann@example.com\r\nTo: bob@example.org\r\nSubject: nothing\r\n\r\n"),
                raw("raw: trailing blank lines", "From: ann@example.com\r\nTo: bob@example.org\r\nSubject: gaps\r\n\r\n"
                        + "\r\nHello\r\n\r\n \t\r\n\r\n\r\n"),
                raw("raw: bare LF line ends, no final line end", "From: ann@example.com\nTo: bob@example.org\n"
                        + "Subject: unix\n\nline one\nline two"));
    }

    Case textHtmlAndAttachments() {
        byte[] logo = pseudoRandom(2_000, 3);
        return composed("composed: text, html, inline image and stored attachment", TestJobs
                .from("Ann Example <ann@example.com>").to("bob@example.org", "Carol <carol@example.org>")
                .cc("dave@example.org").replyTo("support@example.com").subject("Your invoice")
                .text("Hello Bob,\n\nyour invoice is attached.\n").html("<p>Hello Bob,</p><img src=\"cid:logo\">")
                .header("List-Unsubscribe", "<https://example.com/u/1>, <mailto:u@example.com>")
                .header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
                .header("X-Campaign", "spring")
                .attach(new Attachment("logo.png", "image/png", "inline", "logo",
                        Base64.getEncoder().encodeToString(logo), null))
                .attachS3("report.pdf", "application/pdf", STORED.bucket(), STORED.key()));
    }

    private Case utf8Headers() {
        return composed("composed: UTF-8 subject and display names (RFC 2047)", TestJobs
                .from("Zoë Müller <zoe@example.com>").to("José Núñez <jose@example.org>")
                .subject("Hóa đơn tháng 12 — 請求書のお知らせ、長い件名が折り返されるように十分に長くします")
                .text("Grüße, Zoë — 你好\n"));
    }

    private Case largeStoredAttachment() {
        return composed("composed: a 3 MiB stored attachment, streamed", TestJobs.from("ann@example.com")
                .to("bob@example.org").subject("Large").text("See the attachment.")
                .attachS3("large.bin", "application/octet-stream", LARGE.bucket(), LARGE.key()));
    }

    private Case composed(String name, TestJobs job) {
        return new Case(name, composer.compose(TestJobs.parsed(job.build())));
    }

    private Case raw(String name, String message) {
        S3Location location = new S3Location(BUCKET, "raw/" + Integer.toHexString(name.hashCode()) + ".eml");
        store.put(location, message.getBytes(StandardCharsets.UTF_8));
        return new Case(name, composer.compose(TestJobs.parsed(TestJobs.from("ann@example.com")
                .to("bob@example.org").raw(BUCKET, location.key()).build())));
    }

    static byte[] pseudoRandom(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
