package dev.mailroom.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.regex.Pattern;

/**
 * One attachment of a send job: either small inline {@code content} (base64) or an {@code s3}
 * object streamed at send time. {@code disposition} is {@code attachment} (default) or
 * {@code inline}; an inline part with a {@code contentId} can be referenced from the html as
 * {@code cid:<contentId>}.
 */
public record Attachment(String filename, String contentType, String disposition, String contentId,
                         String content, S3Location s3) {

    /** How a refusal states the content id rule, after the field name. */
    public static final String CONTENT_ID_RULE = "must be 1-200 characters of an RFC 5322 msg-id";
    // RFC 5322 §3.6.4: what stands between a msg-id's angle brackets (atext, '.' and '@'); the
    // composer adds the brackets.
    private static final Pattern CONTENT_ID = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]{1,200}");

    /** The content id rule, for the client and the intake alike: {@value #CONTENT_ID_RULE}. */
    public static boolean isValidContentId(String contentId) {
        return contentId != null && CONTENT_ID.matcher(contentId).matches();
    }

    @JsonIgnore
    public boolean isInline() {
        return "inline".equalsIgnoreCase(disposition);
    }
}
