package dev.mailroom.intake;

/**
 * Caps applied to every job before anything is sent.
 *
 * @param maxRecipients      to + cc + bcc
 * @param maxInlineBytes     decoded size of all inline (base64) attachment content together
 * @param maxAttachments     attachments per job
 * @param maxHeaderBytes     length of any one header value, subject and display names included
 */
public record JobLimits(int maxRecipients, int maxInlineBytes, int maxAttachments, int maxHeaderBytes) {

    public static JobLimits defaults() {
        return new JobLimits(100, 256 * 1024, 50, 2_000);
    }
}
