package dev.mailroom.client;

import dev.mailroom.MailroomException;

/** The send job does not fit in one SQS message. Nothing was uploaded or sent. */
public final class MessageTooLargeException extends MailroomException {

    private final long bytes;
    private final long limitBytes;

    public MessageTooLargeException(String jobId, long bytes, long limitBytes) {
        super("job " + jobId + " is " + bytes + " bytes as JSON, over the SQS limit of " + limitBytes
                + " bytes; move large text or html into an attachment, or send a raw message from a file");
        this.bytes = bytes;
        this.limitBytes = limitBytes;
    }

    public long bytes() {
        return bytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
