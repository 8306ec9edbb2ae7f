package dev.mailroom.job;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One attachment of a send job: either small inline {@code content} (base64) or an {@code s3}
 * object streamed at send time. {@code disposition} is {@code attachment} (default) or
 * {@code inline}; an inline part with a {@code contentId} can be referenced from the html as
 * {@code cid:<contentId>}.
 */
public record Attachment(String filename, String contentType, String disposition, String contentId,
                         String content, S3Location s3) {

    @JsonIgnore
    public boolean isInline() {
        return "inline".equalsIgnoreCase(disposition);
    }
}
