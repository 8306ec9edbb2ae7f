package dev.mailroom.inbound;

/** Where received mail is stored (SES receiving's S3 action): one message's bytes by its location. */
public interface InboundMail {

    /**
     * @throws InboundMailException when the message cannot be read (missing, unreachable)
     */
    byte[] read(String bucket, String key);

    /** A stored message that could not be read; names where, never what it holds. */
    final class InboundMailException extends dev.mailroom.MailroomException {
        public InboundMailException(String bucket, String key, Throwable cause) {
            super("cannot read inbound message s3://" + bucket + "/" + key, cause);
        }
    }
}
