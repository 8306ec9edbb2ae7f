package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where large attachments and raw messages live. Reads are streamed: nothing here may buffer an
 * object whole.
 */
public interface AttachmentStore {

    /**
     * The object's size in bytes.
     *
     * @throws AttachmentException.NotFound    the object does not exist (or may not be read)
     * @throws AttachmentException.Unavailable the store failed in a way that may pass
     */
    long size(S3Location location);

    /** Opens the object for one sequential read; the caller closes the stream. */
    InputStream open(S3Location location) throws IOException;
}
